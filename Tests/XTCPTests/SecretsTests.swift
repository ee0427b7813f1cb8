import Foundation
import Testing
import TestSupport

/// Kafka's secrets are never printed, and need not be on the command line.
@Suite("Secrets: redacted in -conf, -d and every line; -kafkaPropertyFile keeps them out of argv (live)", .serialized)
struct SecretsTests {
    static let secrets = ["sasl.password": "hunter2-sasl", "ssl.key.password": "hunter2-key",
                          "sasl.oauthbearer.client.secret": "hunter2-oauth", "ssl.keystore.password": "hunter2-store"]

    static func kafkaProperties() -> [String] {
        secrets.sorted { $0.key < $1.key }.flatMap { ["-kafkaProperty", "\($0.key)=\($0.value)"] }
    }

    func expectNoSecret(_ text: String, _ context: String) {
        for value in Self.secrets.values { #expect(!text.contains(value), "\(context): \(value) printed") }
        #expect(!text.contains("hunter2"), "\(context)")
    }

    @Test("-conf and -d: each secret property as key=<redacted>, the others in clear")
    func redacted() throws {
        let conf = try Shell.capture([Paths.xtcp, "-conf", "-dest", "kafka:127.0.0.1:9", "-kafkaProperty", "client.id=xtcp-test"] + Self.kafkaProperties(),
                                     timeout: 30)
        #expect(conf.status == 0, "\(conf.stderr)")
        expectNoSecret(conf.stdout + conf.stderr, "-conf")
        for key in Self.secrets.keys { #expect(conf.stdout.contains("kafkaProperty \(key)=<redacted>"), "\(key): \(conf.stdout)") }
        #expect(conf.stdout.contains("kafkaProperty client.id=xtcp-test"))
        // -d, with a broker that is not there: the configuration and
        // librdkafka's complaints are logged; no secret in any of it.
        let debug = try Shell.capture([Paths.xtcp, "-d", "-namespaces", "own", "-maxLoops", "2", "-frequency", "300ms", "-promListen", "off",
                                       "-dest", "kafka:127.0.0.1:9", "-kafkaStartTimeout", "0s", "-kafkaMessageTimeout", "200ms", "-kafkaFlushTimeout", "0s",
                                       "-kafkaProperty", "security.protocol=SASL_PLAINTEXT", "-kafkaProperty", "sasl.mechanism=PLAIN",
                                       "-kafkaProperty", "sasl.username=xtcp"] + Self.kafkaProperties(), timeout: 60)
        #expect(debug.stderr.contains("config: kafkaProperty sasl.password=<redacted>"), "\(debug.stderr.prefix(2000))")
        expectNoSecret(debug.stdout + debug.stderr, "-d")
    }

    @Test("a misspelt property: refused (exit 2) naming the key and the nearest known one, never its value")
    func misspelt() throws {
        let result = try Shell.capture([Paths.xtcp, "-namespaces", "own", "-maxLoops", "1", "-promListen", "off", "-dest", "kafka:127.0.0.1:9",
                                        "-kafkaProperty", "sasl.pasword=hunter2-typo"], timeout: 30)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("kafka property sasl.pasword: not a librdkafka property (did you mean sasl.password?)"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test("-kafkaPropertyFile and XTCP_KAFKAPROPERTYFILE: read (0600), refused when others may read it or another user owns it")
    func propertyFile() throws {
        let dir = NSTemporaryDirectory() + "xtcp-secrets-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/kafka.properties"
        try Data("# SASL for the fleet's brokers\nsasl.username = xtcp\nsasl.password = hunter2-file\n\nclient.id=from-file\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        let conf = try Shell.capture([Paths.xtcp, "-conf", "-dest", "kafka:127.0.0.1:9", "-kafkaPropertyFile", file], timeout: 30)
        #expect(conf.status == 0 && conf.stdout.contains("kafkaPropertyFile \(file)"), "\(conf.stderr)")
        expectNoSecret(conf.stdout + conf.stderr, "-conf with a property file")
        // Its properties reach librdkafka: a misspelt one in it is refused there.
        try Data("sasl.pasword=hunter2-file\n".utf8).write(to: URL(fileURLWithPath: file))
        let fromEnvironment = try Shell.capture(["env", "XTCP_KAFKAPROPERTYFILE=\(file)", Paths.xtcp, "-namespaces", "own", "-maxLoops", "1",
                                                 "-promListen", "off", "-dest", "kafka:127.0.0.1:9"], timeout: 30)
        #expect(fromEnvironment.status == 2 && fromEnvironment.stderr.contains("did you mean sasl.password?"), "\(fromEnvironment.stderr)")
        expectNoSecret(fromEnvironment.stderr, "a misspelt property from the file")

        chmod(file, 0o644)
        let open = try Shell.capture([Paths.xtcp, "-conf", "-kafkaPropertyFile", file], timeout: 30)
        #expect(open.status == 2 && open.stderr.contains("mode 0644 lets other users read or change it"), "\(open.stderr)")
        chmod(file, 0o600)
        #expect(chown(file, 65534, 65534) == 0)
        let theirs = try Shell.capture(["env", "XTCP_KAFKAPROPERTYFILE=\(file)", Paths.xtcp, "-conf"], timeout: 30)
        #expect(theirs.status == 2 && theirs.stderr.contains("XTCP_KAFKAPROPERTYFILE=\(file): owned by uid 65534"), "\(theirs.stderr)")
        try Data("just-a-secret-no-key\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(chown(file, 0, 0) == 0)
        let malformed = try Shell.capture([Paths.xtcp, "-conf", "-kafkaPropertyFile", file], timeout: 30)
        #expect(malformed.status == 2 && malformed.stderr.contains("line 1") && !malformed.stderr.contains("just-a-secret"), "\(malformed.stderr)")
    }
}
