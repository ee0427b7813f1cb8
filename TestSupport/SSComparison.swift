import Foundation
import RecordFmt

/// Compares a decoded record with what `ss` printed for the same socket,
/// converting units the way iproute2's ss does (misc/ss.c: tcp_show_info).
public enum SSComparison {
    static let stateNames: [UInt32: String] = [
        1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT",
        7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING",
    ]
    public static let congestionNames: Set<String> = ["cubic", "bbr", "bbr2", "bbr3", "reno", "dctcp", "vegas", "prague", "htcp", "bic", "westwood"]

    static func g(_ value: Double) -> String { String(format: "%g", value) }
    static func ms(_ micros: UInt32) -> String { g(Double(micros) / 1000) }
    static func bps(_ bytesPerSecond: UInt64) -> String { String(format: "%.0fbps", Double(bytesPerSecond) * 8) }

    /// Every disagreement, as "field: ss=X record=Y"; empty when they agree.
    /// `checked` counts the values compared.
    public static func mismatches(_ r: FlatRecord, _ s: SSSocket, checked: inout Int) -> [String] {
        var out: [String] = []
        func check(_ name: String, _ ss: String?, _ ours: String) {
            guard let ss else { return }
            checked += 1
            if ss != ours { out.append("\(name): ss=\(ss) record=\(ours)") }
        }
        check("state", s.state, stateNames[r.inetDiagMsgState] ?? "?\(r.inetDiagMsgState)")
        check("recv-q", s.recvQ, String(r.inetDiagMsgRqueue))
        check("send-q", s.sendQ, String(r.inetDiagMsgWqueue))
        let local = SSAddress(host: r.inetDiagMsgSocketSource.text, port: r.inetDiagMsgSocketSourcePort)
        let peer = SSAddress(host: r.inetDiagMsgSocketDestination.text, port: r.inetDiagMsgSocketDestinationPort)
        checked += 2
        if !s.local.matches(local) { out.append("local: ss=\(s.local) record=\(local)") }
        if !s.peer.matches(peer) { out.append("peer: ss=\(s.peer) record=\(peer)") }
        check("ino", s.values["ino"], String(r.inetDiagMsgInode))
        check("uid", s.values["uid"] ?? "0", String(r.inetDiagMsgUid))
        // ss prints tos and class_id with %#x: "0", "0x2".
        func hex(_ text: String?) -> String? {
            text.map { t in String(t.hasPrefix("0x") ? UInt32(t.dropFirst(2), radix: 16) ?? .max : UInt32(t) ?? .max) }
        }
        check("tos", hex(s.values["tos"]), String(r.typeOfService))
        check("class_id", hex(s.values["class_id"]), String(r.classId))

        if let skmem = s.values["skmem"] {
            let inner = skmem.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            let ours: [(String, UInt32)] = [
                ("rb", r.skMemInfoRcvBuf), ("r", r.skMemInfoRmemAlloc), ("tb", r.skMemInfoSndBuf), ("t", r.skMemInfoWmemAlloc),
                ("f", r.skMemInfoFwdAlloc), ("w", r.skMemInfoWmemQueued), ("o", r.skMemInfoOptmem),
                ("bl", r.skMemInfoBacklog), ("d", r.skMemInfoDrops),
            ]
            for item in inner.split(separator: ",") {
                guard let (key, value) = ours.first(where: { item.hasPrefix($0.0) && Int(item.dropFirst($0.0.count)) != nil }) else {
                    out.append("skmem: cannot read \(item)")
                    continue
                }
                check("skmem.\(key)", String(item.dropFirst(key.count)), String(value))
            }
        }
        let cong = s.flags.intersection(congestionNames)
        checked += 1
        if cong.first ?? "" != r.congestionAlgorithmString { out.append("congestion: ss=\(cong) record=\(r.congestionAlgorithmString)") }

        // tcp_info: ss prints nothing of it for sockets without one (TIME-WAIT).
        let options = r.tcpInfoOptions
        for (flag, bit) in [("ts", 1), ("sack", 2), ("ecn", 8), ("ecnseen", 16)] where r.tcpInfoLength > 0 {
            check(flag, s.flags.contains(flag) ? "yes" : "no", options & UInt32(bit) != 0 ? "yes" : "no")
        }
        if options & 4 != 0 { check("wscale", s.values["wscale"], "\(r.tcpInfoSendScale),\(r.tcpInfoRcvScale)") }
        check("rto", s.values["rto"], ms(r.tcpInfoRto))
        check("rtt", s.values["rtt"], "\(ms(r.tcpInfoRtt))/\(ms(r.tcpInfoRttVar))")
        check("ato", s.values["ato"], ms(r.tcpInfoAto))
        check("mss", s.values["mss"], String(r.tcpInfoSndMss))
        check("pmtu", s.values["pmtu"], String(r.tcpInfoPmtu))
        check("rcvmss", s.values["rcvmss"], String(r.tcpInfoRcvMss))
        check("advmss", s.values["advmss"], String(r.tcpInfoAdvMss))
        check("cwnd", s.values["cwnd"], String(r.tcpInfoSndCwnd))
        check("ssthresh", s.values["ssthresh"], String(r.tcpInfoSndSsthresh))
        check("bytes_sent", s.values["bytes_sent"], String(r.tcpInfoBytesSent))
        check("bytes_retrans", s.values["bytes_retrans"], String(r.tcpInfoBytesRetrans))
        check("bytes_acked", s.values["bytes_acked"], String(r.tcpInfoBytesAcked))
        check("bytes_received", s.values["bytes_received"], String(r.tcpInfoBytesReceived))
        check("segs_out", s.values["segs_out"], String(r.tcpInfoSegsOut))
        check("segs_in", s.values["segs_in"], String(r.tcpInfoSegsIn))
        check("data_segs_out", s.values["data_segs_out"], String(r.tcpInfoDataSegsOut))
        check("data_segs_in", s.values["data_segs_in"], String(r.tcpInfoDataSegsIn))
        check("lastsnd", s.values["lastsnd"], String(r.tcpInfoLastDataSent))
        check("lastrcv", s.values["lastrcv"], String(r.tcpInfoLastDataRecv))
        check("lastack", s.values["lastack"], String(r.tcpInfoLastAckRecv))
        check("pacing_rate", s.values["pacing_rate"], bps(r.tcpInfoPacingRate))
        check("delivery_rate", s.values["delivery_rate"], bps(r.tcpInfoDeliveryRate))
        check("delivered", s.values["delivered"], String(r.tcpInfoDelivered))
        check("delivered_ce", s.values["delivered_ce"], String(r.tcpInfoDeliveredCe))
        if r.tcpInfoLength > 0 {
            check("app_limited", s.flags.contains("app_limited") ? "yes" : "no", r.tcpInfoDeliveryRateAppLimited != 0 ? "yes" : "no")
        }
        check("busy", s.values["busy"], "\(r.tcpInfoBusyTime / 1000)ms")
        check("rcv_space", s.values["rcv_space"], String(r.tcpInfoRcvSpace))
        check("rcv_ssthresh", s.values["rcv_ssthresh"], String(r.tcpInfoRcvSsthresh))
        check("minrtt", s.values["minrtt"], ms(r.tcpInfoMinRtt))
        check("snd_wnd", s.values["snd_wnd"], String(r.tcpInfoSndWnd))
        check("rcv_wnd", s.values["rcv_wnd"], String(r.tcpInfoRcvWnd))
        check("rcv_rtt", s.values["rcv_rtt"], ms(r.tcpInfoRcvRtt))
        check("retrans", s.values["retrans"], "\(r.tcpInfoRetrans)/\(r.tcpInfoTotalRetrans)")
        check("unacked", s.values["unacked"], String(r.tcpInfoUnacked))
        check("lost", s.values["lost"], String(r.tcpInfoLost))
        check("sacked", s.values["sacked"], String(r.tcpInfoSacked))
        check("reordering", s.values["reordering"], String(r.tcpInfoReordering))
        check("notsent", s.values["notsent"], String(r.tcpInfoNotSentBytes))
        check("dsack_dups", s.values["dsack_dups"], String(r.tcpInfoDsackDups))
        check("reord_seen", s.values["reord_seen"], String(r.tcpInfoReordSeen))
        check("rcv_ooopack", s.values["rcv_ooopack"], String(r.tcpInfoRcvOoopack))
        if let bbr = s.values["bbr"] {
            let bw = UInt64(r.bbrInfoBwHi) << 32 | UInt64(r.bbrInfoBwLo)
            check("bbr", bbr, "(bw:\(bps(bw)),mrtt:\(ms(r.bbrInfoMinRtt)),pacing_gain:\(g(Double(r.bbrInfoPacingGain) / 256)),cwnd_gain:\(g(Double(r.bbrInfoCwndGain) / 256)))")
        }
        if let dctcp = s.values["dctcp"], dctcp.hasPrefix("(") {
            check("dctcp", dctcp, "(ce_state:\(r.dctcpInfoCeState),alpha:\(r.dctcpInfoAlpha),ab_ecn:\(r.dctcpInfoAbEcn),ab_tot:\(r.dctcpInfoAbTot))")
        }
        return out
    }
}
