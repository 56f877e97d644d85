import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open MPI's C library (`libmpi.so.40`), loaded at run time with `dlopen` so that Converge builds
/// and runs without it.
///
/// Open MPI's handles are the addresses of global objects in the library (`MPI_COMM_WORLD` is
/// `&ompi_mpi_comm_world`, `MPI_FLOAT` is `&ompi_mpi_float`, `MPI_SUM` is `&ompi_mpi_op_sum`), so
/// they are looked up with `dlsym` like the functions. The library is opened with `RTLD_GLOBAL`:
/// Open MPI's plug-ins (`mca_*.so`) resolve their symbols against it.
///
/// `CONVERGE_MPI=/path/to/libmpi.so` selects another file.
final class MPILibrary: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer
    typealias InitFunction = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32
    typealias FlagFunction = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias VoidFunction = @convention(c) () -> Int32
    typealias CommIntFunction = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias CommFunction = @convention(c) (Handle) -> Int32
    typealias BcastFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias AllreduceFunction = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias IallreduceFunction = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle,
                                                   UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Int32
    typealias WaitFunction = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutableRawPointer?) -> Int32
    typealias TestFunction = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutablePointer<Int32>,
                                             UnsafeMutableRawPointer?) -> Int32
    typealias AllgatherFunction = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle) -> Int32
    typealias AllgathervFunction = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?,
                                                   UnsafePointer<Int32>, UnsafePointer<Int32>, Handle, Handle) -> Int32
    typealias AbortFunction = @convention(c) (Handle, Int32) -> Int32
    typealias SetErrhandlerFunction = @convention(c) (Handle, Handle) -> Int32
    typealias ErrorStringFunction = @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    /// The file given to `dlopen`.
    let path: String

    let initialize: InitFunction
    let initialized: FlagFunction
    let finalize: VoidFunction
    let finalized: FlagFunction
    let commRank: CommIntFunction
    let commSize: CommIntFunction
    let barrier: CommFunction
    let bcast: BcastFunction
    let allreduce: AllreduceFunction
    let iallreduce: IallreduceFunction
    let wait: WaitFunction
    let test: TestFunction
    let allgather: AllgatherFunction
    let allgatherv: AllgathervFunction
    let abort: AbortFunction
    let setErrhandler: SetErrhandlerFunction
    let errorString: ErrorStringFunction

    let commWorld: Handle
    let float: Handle
    let double: Handle
    let int: Handle
    let byte: Handle
    let int64: Handle
    let sum: Handle
    let max: Handle
    let min: Handle
    let errorsReturn: Handle

    /// `MPI_IN_PLACE` in Open MPI.
    let inPlace = UnsafeMutableRawPointer(bitPattern: 1)!

    /// The library, or why it could not be loaded. Loaded on first use.
    static let shared: Result<MPILibrary, DistributedError> = load()

    /// Where the library is looked for: `CONVERGE_MPI` when set, else Debian's and Red Hat's
    /// names for Open MPI 4 and 5.
    static var candidatePaths: [String] {
        if let path = ProcessInfo.processInfo.environment["CONVERGE_MPI"], !path.isEmpty { return [path] }
        return ["libmpi.so.40", "/usr/lib/x86_64-linux-gnu/libmpi.so.40", "/usr/lib/aarch64-linux-gnu/libmpi.so.40",
                "/usr/lib64/openmpi/lib/libmpi.so.40", "libmpi.so.40.0.0", "libmpi.so", "libmpi.40.dylib",
                "/opt/homebrew/lib/libmpi.40.dylib", "/usr/local/lib/libmpi.40.dylib"]
    }

    /// Whether some candidate library can be opened (does not initialize MPI).
    static var isAvailable: Bool {
        if case .success = shared { return true }
        return false
    }

    private static func load() -> Result<MPILibrary, DistributedError> {
        var reasons: [String] = []
        for path in candidatePaths {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? path)
                continue
            }
            do { return .success(try MPILibrary(path: path, handle: handle)) } catch let error as DistributedError {
                return .failure(error)
            } catch {
                return .failure(.libraryUnavailable("\(error)"))
            }
        }
        return .failure(.libraryUnavailable("cannot load Open MPI's libmpi.so.40 (install openmpi-bin and libopenmpi3): "
                                            + (reasons.first ?? "no candidate path")))
    }

    private init(path: String, handle: UnsafeMutableRawPointer) throws {
        self.path = path
        func function<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else {
                throw DistributedError.libraryUnavailable("\(path) has no symbol \(name)")
            }
            return unsafeBitCast(symbol, to: T.self)
        }
        func object(_ name: String) throws -> Handle {
            guard let symbol = dlsym(handle, name) else {
                throw DistributedError.libraryUnavailable("\(path) has no symbol \(name) (is it Open MPI?)")
            }
            return symbol
        }
        initialize = try function("MPI_Init", InitFunction.self)
        initialized = try function("MPI_Initialized", FlagFunction.self)
        finalize = try function("MPI_Finalize", VoidFunction.self)
        finalized = try function("MPI_Finalized", FlagFunction.self)
        commRank = try function("MPI_Comm_rank", CommIntFunction.self)
        commSize = try function("MPI_Comm_size", CommIntFunction.self)
        barrier = try function("MPI_Barrier", CommFunction.self)
        bcast = try function("MPI_Bcast", BcastFunction.self)
        allreduce = try function("MPI_Allreduce", AllreduceFunction.self)
        iallreduce = try function("MPI_Iallreduce", IallreduceFunction.self)
        wait = try function("MPI_Wait", WaitFunction.self)
        test = try function("MPI_Test", TestFunction.self)
        allgather = try function("MPI_Allgather", AllgatherFunction.self)
        allgatherv = try function("MPI_Allgatherv", AllgathervFunction.self)
        abort = try function("MPI_Abort", AbortFunction.self)
        setErrhandler = try function("MPI_Comm_set_errhandler", SetErrhandlerFunction.self)
        errorString = try function("MPI_Error_string", ErrorStringFunction.self)
        commWorld = try object("ompi_mpi_comm_world")
        float = try object("ompi_mpi_float")
        double = try object("ompi_mpi_double")
        int = try object("ompi_mpi_int")
        byte = try object("ompi_mpi_byte")
        int64 = try object("ompi_mpi_int64_t")
        sum = try object("ompi_mpi_op_sum")
        max = try object("ompi_mpi_op_max")
        min = try object("ompi_mpi_op_min")
        errorsReturn = try object("ompi_mpi_errors_return")
    }

    /// MPI's text for an error code.
    func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        var length: Int32 = 0
        guard errorString(code, &buffer, &length) == 0 else { return "MPI error \(code)" }
        return String(cString: buffer)
    }
}
