// Regenerates the Swift code that is derived, not written:
//   swift run xtcp-codegen [PACKAGE_ROOT]
// from the schema, the files RecordCodegen names and the ClickHouse DDL;
// from XTCP's flag table, the executable's ArgumentParser declarations and
// the README's table of xtcp2's names and the man page.
// Paths are relative to the package root (default: the current directory).
import Foundation
import XTCP
import XTCPCodegen

let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : FileManager.default.currentDirectoryPath
do {
    let schema = try String(contentsOfFile: "\(root)/\(RecordCodegen.schemaPath)", encoding: .utf8)
    for file in try RecordCodegen.generate(schemaText: schema) {
        let url = URL(fileURLWithPath: "\(root)/\(file.path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.contents.write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(file.path)")
    }
    // The ClickHouse DDL, between its markers in the document.
    let document = "\(root)/\(ClickHouseCodegen.documentPath)"
    let text = try String(contentsOfFile: document, encoding: .utf8)
    guard let updated = ClickHouseCodegen.embed(try ClickHouseCodegen.ddl(schemaText: schema), in: text) else {
        FileHandle.standardError.write("xtcp-codegen: \(ClickHouseCodegen.documentPath): the ddl markers are missing\n".data(using: .utf8)!)
        exit(1)
    }
    try updated.write(toFile: document, atomically: true, encoding: .utf8)
    print("wrote the DDL in \(ClickHouseCodegen.documentPath)")
    // xtcp2's names beside xtcp's, between their markers in the README.
    let readme = "\(root)/\(XTCP2Names.documentPath)"
    guard let table = XTCP2Names.embed(in: try String(contentsOfFile: readme, encoding: .utf8)) else {
        FileHandle.standardError.write("xtcp-codegen: \(XTCP2Names.documentPath): the xtcp2-names markers are missing\n".data(using: .utf8)!)
        exit(1)
    }
    try table.write(toFile: readme, atomically: true, encoding: .utf8)
    print("wrote xtcp2's names in \(XTCP2Names.documentPath)")
    let flags = URL(fileURLWithPath: "\(root)/\(CommandLineFlags.generatedPath)")
    try FileManager.default.createDirectory(at: flags.deletingLastPathComponent(), withIntermediateDirectories: true)
    try CommandLineFlags.argumentParserSource().write(to: flags, atomically: true, encoding: .utf8)
    print("wrote \(CommandLineFlags.generatedPath)")
    try ManualPage.roff().write(toFile: "\(root)/\(ManualPage.path)", atomically: true, encoding: .utf8)
    print("wrote \(ManualPage.path)")
} catch {
    FileHandle.standardError.write("xtcp-codegen: \(error)\n".data(using: .utf8)!)
    exit(1)
}
