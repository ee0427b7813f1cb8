import Foundation
import Testing
import TestSupport
import XTCPCodegen

@Suite("Generated code")
struct CodegenFreshnessTests {
    @Test("the committed Swift record code is what the schema generates now")
    func generatedCodeIsFresh() throws {
        let schema = try String(contentsOfFile: Paths.schema, encoding: .utf8)
        for file in try RecordCodegen.generate(schemaText: schema) {
            let committed = try String(contentsOfFile: Paths.packageRoot + "/" + file.path, encoding: .utf8)
            #expect(committed == file.contents, "\(file.path) is stale: run `swift run xtcp-codegen`")
        }
    }

    @Test("the ClickHouse DDL in docs/clickhouse.md is what the schema generates now, a column for every field")
    func clickHouseDDLIsFresh() throws {
        let schema = try String(contentsOfFile: Paths.schema, encoding: .utf8)
        let document = try String(contentsOfFile: Paths.packageRoot + "/" + ClickHouseCodegen.documentPath, encoding: .utf8)
        let ddl = try ClickHouseCodegen.ddl(schemaText: schema)
        #expect(ClickHouseCodegen.embed(ddl, in: document) == document, "docs/clickhouse.md is stale: run `swift run xtcp-codegen`")
        let record = try #require(try ProtoSchema(parsing: schema).message(named: "XtcpFlatRecord"))
        for field in record.fields {
            #expect(ddl.contains("\n    \(field.name) "), "no column for \(field.name)")
        }
    }

    @Test("every xtcp2 v1 field keeps its name, number and type")
    func wireCompatibleWithXtcp2() throws {
        let schema = try ProtoSchema(parsing: String(contentsOfFile: Paths.schema, encoding: .utf8))
        let record = try #require(schema.message(named: "XtcpFlatRecord"))
        let reference = try String(contentsOfFile: Paths.packageRoot + "/../shared/reference/xtcp2-record-v1-fields.tsv", encoding: .utf8)
        var checked = 0
        for line in reference.split(separator: "\n").dropFirst() where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t").map(String.init)
            let field = record.fields.first { $0.name == cols[0] }
            #expect(field?.number == Int(cols[1]), "\(cols[0])")
            #expect(field?.type == cols[2], "\(cols[0])")
            checked += 1
        }
        #expect(checked == 156)
        let numbers = record.fields.map(\.number)
        #expect(Set(numbers).count == numbers.count, "field numbers are unique")
        let envelope = try #require(schema.message(named: "Envelope"))
        #expect(envelope.fields.first?.number == 10 && envelope.fields.first?.repeated == true)
    }

    @Test("the parser rejects what it does not understand, with the line")
    func strictParser() {
        #expect(throws: ProtoSchema.ParseError.self) { try ProtoSchema(parsing: "syntax = \"proto3\";\nmessage A {\n  map<string,string> m = 1;\n}\n") }
        #expect(throws: ProtoSchema.ParseError.self) { try ProtoSchema(parsing: "message A {\n uint32 a = 1;\n") }
    }
}
