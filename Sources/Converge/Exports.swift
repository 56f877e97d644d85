// `import Converge` gives users the tensor layer too.
@_exported import ConvergeCore
