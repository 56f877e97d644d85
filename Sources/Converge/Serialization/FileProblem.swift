import Foundation

/// Turns a Foundation file error (`Error Domain=NSCocoaErrorDomain Code=516 …`) into a short
/// sentence: `no such file or folder`, `it already exists`, `permission denied`, ….
public enum FileProblem {
    /// The reason, without the path.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(ns.code)) {
            return posixReason(code)
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return posixReason(code)
        }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileWriteFileExists: return "it already exists"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileReadCorruptFile: return "the file is damaged"
            case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not in the expected encoding (UTF-8)"
            case .fileReadTooLarge: return "the file is too large"
            case .fileWriteOutOfSpace: return "the disk is full"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileReadUnknown, .fileWriteUnknown: return "an unknown I/O error"
            default: break
            }
        }
        return ns.localizedDescription.split(separator: "\n").first.map(String.init) ?? "an I/O error"
    }

    /// `path: reason` for a Foundation error, using the path it names when there is one.
    public static func sentence(_ error: Error, path: String? = nil) -> String {
        let ns = error as NSError
        let named = path ?? (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return named.map { "\($0): \(reason(error))" } ?? reason(error)
    }

    private static func posixReason(_ code: POSIXErrorCode) -> String {
        switch code {
        case .ENOENT: return "no such file or folder"
        case .EEXIST: return "it already exists"
        case .EACCES, .EPERM: return "permission denied"
        case .ENOSPC: return "the disk is full"
        case .EROFS: return "the file system is read-only"
        case .EISDIR: return "it is a folder, not a file"
        case .ENOTDIR: return "a part of the path is not a folder"
        default: return String(cString: strerror(code.rawValue))
        }
    }
}
