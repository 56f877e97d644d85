import ArgumentParser
import Converge
import ConvergeExamples
import Foundation

/// `converge demo data-parallel`: the data-parallel library API in a hand-written loop; run it
/// under `mpirun -np N` (or with `--processes N`).
struct DataParallelDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-parallel",
        abstract: "Data-parallel training with the library API (run under mpirun -np N, or pass --processes N).",
        discussion: "ProcessGroup, DataParallel, SyncBatchNorm and DistributedDataLoader in a hand-written loop of 5 epochs on random data; rank 0 prints the loss averaged over ranks and whether all replicas end identical.")

    @Option(help: "Epochs to train.")
    var epochs = 5

    @Option(help: "Start mpirun with N local processes.")
    var processes: Int?

    func run() throws {
        try DemoCommandSupport.run("data-parallel") {
            if let processes {
                let status = try MPILauncher.relaunch(processes: processes)
                if status != 0 { throw ExitCode(status) }
                return
            }
            guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
            let result = try DataParallelDemo.run(epochs: epochs)
            guard result.rank == 0 else { return }
            print("data-parallel over \(result.processes) processes")
            for (epoch, loss) in result.losses.enumerated() { print("epoch \(epoch + 1): loss \(String(format: "%.4f", loss))") }
            print("replicas identical: \(result.replicasIdentical ? "yes" : "NO")")
            if !result.replicasIdentical { throw ExitCode(1) }
        }
    }
}
