import Foundation

/// How `converge train` takes a run folder: it locks the folder (``RunFolderLock``) and then
/// decides from the folder's contents and its `run-state.json` (``RunFolderState``) what is allowed.
///
/// - An empty or new folder is taken.
/// - A folder whose run stopped before its first checkpoint (killed, out of memory, a late error)
///   holds nothing worth keeping: `train` and `train --resume` restart it from the beginning.
/// - A folder with a checkpoint is continued with `--resume`, and replaced only with `--overwrite`.
/// - Any other non-empty folder is refused, and `--overwrite` removes only a converge run folder.
///
/// A refused claim changes nothing in the folder.
enum RunFolderClaim {
    static func claim(_ output: URL, checkpoint: URL, resume: Bool, overwrite: Bool) throws -> RunFolderLock {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let existed = fm.fileExists(atPath: output.path, isDirectory: &isDirectory)
        if existed && !isDirectory.boolValue {
            throw FileIOError(file: output.path, operation: "use it as the output folder", reason: "it is a file, not a folder")
        }
        if resume && !existed { throw RecipeRun.RunError.noCheckpoint(output.path) }
        do { try fm.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw FileIOError(file: output.path, operation: "create the output folder",
                              reason: (error as NSError).localizedFailureReason ?? "permission denied or read-only file system")
        }
        let lock: RunFolderLock
        do { lock = try RunFolderLock(folder: output) } catch {
            if !existed { try? fm.removeItem(at: output) }
            throw error
        }
        do {
            let contents = try fm.contentsOfDirectory(atPath: output.path)
            let hasCheckpoint = Checkpoint.exists(checkpoint)
            let stoppedEarly = !hasCheckpoint && (RunFolderState.read(in: output).map { $0.state != "complete" } ?? false)
            if resume {
                if !hasCheckpoint {
                    // Killed before it recorded anything (an empty folder) or before its first
                    // checkpoint: start it again from the beginning.
                    guard stoppedEarly || (existed && contents.isEmpty) else { throw RecipeRun.RunError.noCheckpoint(output.path) }
                    try clear(output, contents)
                }
            } else if !contents.isEmpty {
                if overwrite {
                    let isRunFolder = contents.contains(RunFolderState.fileName) || contents.contains("run.json") || contents.contains("recipe.yaml") || hasCheckpoint
                    guard isRunFolder else { throw RecipeRun.RunError.notARunFolder(output.path) }
                    try clear(output, contents)
                } else if stoppedEarly {
                    try clear(output, contents)
                } else {
                    throw RecipeRun.RunError.outputNotEmpty(output.path)
                }
            }
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    private static func clear(_ folder: URL, _ contents: [String]) throws {
        for name in contents {
            let url = folder.appendingPathComponent(name)
            do { try FileManager.default.removeItem(at: url) } catch {
                throw FileIOError(file: url.path, operation: "remove it", reason: "permission denied")
            }
        }
    }
}
