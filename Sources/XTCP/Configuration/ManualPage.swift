/// xtcp(8), in roff, from the flag table: every flag with its help and
/// default, every `XTCP_*` variable, the exit codes, signals and files.
/// `swift run xtcp-codegen` writes it to `docs/xtcp.8` (a test fails when
/// it is stale) and `scripts/package.sh` installs it.
public enum ManualPage {
    public static let path = "docs/xtcp.8"

    public static func roff() -> String {
        var page = [
            #".\" Generated from xtcp's flag table by xtcp-codegen: do not edit."#,
            #".TH XTCP 8 "" "xtcp \#(XTCPVersion.daemon)" "System Administration""#,
            ".SH NAME",
            #"xtcp \- stream the kernel's TCP socket diagnostics of every network namespace"#,
            ".SH SYNOPSIS",
            ".B xtcp",
            #"[\fIFLAG\fR ...]"#,
            ".SH DESCRIPTION",
            text("""
                xtcp polls the kernel's TCP sockets with netlink sock_diag, in every network namespace on the host, \
                every -frequency: what ss -tiem shows (tcp_info, congestion control, BBR, DCTCP and Vegas info, \
                socket memory), one flat protobuf record per socket, batched into envelopes and sent to -dest \
                (Kafka, a file, stdout, UDP). Metrics, health and profiles are served on -promListen.
                """),
            ".PP",
            text("Flags take one dash or two (-frequency 10s, --frequency=10s)."),
            ".SH OPTIONS",
        ]
        for section in FlagTable.sections {
            page.append(".SS \(text(section.title))")
            for flag in section.flags { page += entry(flag) }
        }
        page += [
            ".SH ENVIRONMENT",
            text("""
                Every flag but the modes can also come from the environment as XTCP_<FLAG>, upper case, with \
                a dot as an underscore (XTCP_FREQUENCY=30s, XTCP_PROFILE_MODE=cpu). A flag on the command line wins; \
                -conf prints what is in effect. The systemd unit reads them from /etc/default/xtcp.
                """),
        ]
        for flag in FlagTable.flags where flag.fromEnvironment {
            page += [".TP", ".B \(text(flag.environmentName))", text("-\(flag.name)")]
        }
        page += [
            ".SH EXIT STATUS",
            exitCode(0, "success, also when SIGTERM, SIGINT or SIGQUIT ends polling"),
            exitCode(1, "a runtime failure"),
            exitCode(2, "a usage error: a wrong flag, value or variable"),
            exitCode(3, "the destination is unavailable at start (an unreachable broker, an unwritable file)"),
            exitCode(4, "not privileged enough to poll (see CAPABILITIES)"),
            exitCode(5, "a -maxLoops or -replay run that lost data"),
            ".SH SIGNALS",
            ".TP", ".B SIGTERM, SIGINT, SIGQUIT",
            text("The poll in progress finishes, envelopes are flushed, and xtcp says what it sent and exits."),
            ".TP", ".B SIGHUP",
            text("Every file: destination is reopened (after logrotate has moved it)."),
            ".SH CAPABILITIES",
            text("""
                Polling every namespace needs CAP_NET_ADMIN (socket marks and class ids), CAP_SYS_ADMIN (setns) \
                and CAP_SYS_PTRACE (other users' /proc/PID/ns/net), or root. The systemd unit gives the xtcp user \
                exactly these three.
                """),
            ".SH FILES",
            ".TP", ".I /etc/default/xtcp", text("XTCP_* settings and ARGS, for the systemd unit."),
            ".TP", ".I /lib/systemd/system/xtcp.service", text("The unit: systemctl enable --now xtcp."),
            ".TP", ".I /var/lib/xtcp, /var/log/xtcp", text("Writable by the unit, for file: destinations."),
            ".SH EXAMPLES",
            ".nf",
            text("xtcp -frequency 10s -netlinkers 4 -dest kafka:broker1:9092 -topic xtcp"),
            text("xtcp -frequency 1s -maxLoops 3 -dest stdout -marshal jsonl"),
            text("xtcp -capture dump.pcapng"),
            text("xtcp -replay dump.pcapng -dest stdout -marshal jsonl"),
            ".fi",
            ".SH SEE ALSO",
            #".BR ss (8),"#,
            #".BR systemd.exec (5)"#,
        ]
        return page.joined(separator: "\n") + "\n"
    }

    /// `-frequency value` (or `-v, -version`), then its help and default.
    private static func entry(_ flag: FlagDefinition) -> [String] {
        var names = flag.isShortOnly ? [] : ["\\-" + text(flag.name)]
        if let short = flag.short { names.insert("\\-\(short)", at: 0) }
        let tag = names.map { "\\fB\($0)\\fR" }.joined(separator: ", ") + (flag.kind == .toggle ? "" : " \\fIvalue\\fR")
        let help = flag.helpWithDefault + (flag.kind == .repeatable ? " May be given many times." : "")
        return [".TP", tag, text(help)]
    }

    private static func exitCode(_ code: Int, _ meaning: String) -> String { ".TP\n.B \(code)\n\(text(meaning))" }

    /// Text as roff reads it literally: a backslash doubled, a minus a
    /// minus (not a hyphen), and a line that would start with `.` or `'`
    /// (a request) escaped.
    static func text(_ plain: String) -> String {
        var escaped = plain.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if let first = escaped.first, first == "." || first == "'" { escaped = "\\&" + escaped }
        return escaped
    }
}

private extension String {
    /// Foundation-free replacement (XTCP does not import Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
