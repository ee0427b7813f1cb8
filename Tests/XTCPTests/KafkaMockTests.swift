import Testing
import TestSupport

@Suite("The local Kafka broker (xtcp-kafka-mock) serves a real client", .serialized)
struct KafkaMockTests {
    func roundTrip(_ mock: KafkaMock, count: Int, timeoutMs: Int) throws -> String {
        try Shell.run(["python3", Paths.packageRoot + "/Tests/Scripts/kafka_roundtrip.py", mock.bootstrap, "records", "\(count)", "\(timeoutMs)"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("confluent-kafka produces and consumes; a broker set down loses delivery, set up regains it")
    func produceConsumeDownUp() throws {
        let mock = try KafkaMock(brokers: 1, topic: "records", partitions: 4)
        defer { mock.stop() }
        #expect(mock.bootstrap.hasPrefix("127.0.0.1:"))
        #expect(try roundTrip(mock, count: 200, timeoutMs: 10_000) == "delivered 200 failed 0 consumed 200")

        #expect(try mock.command("down 1") == "ok")
        #expect(try roundTrip(mock, count: 10, timeoutMs: 1_500) == "delivered 0 failed 10 consumed 0")

        #expect(try mock.command("up 1") == "ok")
        #expect(try roundTrip(mock, count: 50, timeoutMs: 10_000).hasPrefix("delivered 50 failed 0"))
        #expect(try mock.command("bogus").hasPrefix("error: unknown command"))
    }
}
