import CKernelABI
import RecordFmt

extension DumpDecoder {
    /// INET_DIAG_INFO: struct tcp_info, of whatever length this kernel sends
    /// (192 bytes on 4.15 ... 280 on 6.18 and 7.0; the word at 248 as
    /// `tcpInfoLayout` says). As ss does, the bytes that came
    /// are copied into a zeroed full-size struct, so every field the length
    /// covers is decoded, the rest read as zero, and nothing past the
    /// attribute is touched. `tcp_info_length` records what the kernel sent.
    @inlinable
    mutating func decodeTCPInfo(_ p: UnsafeRawPointer, length: Int, into r: inout FlatRecord) {
        var t = xtcp_tcp_info()
        withUnsafeMutableBytes(of: &t) { full in
            // Safe: at most sizeof(tcp_info) bytes, and `length` are readable at p.
            full.baseAddress!.copyMemory(from: p, byteCount: min(length, full.count))
        }
        r.tcpInfoLength = UInt32(truncatingIfNeeded: length)
        r.tcpInfoState = UInt32(t.tcpi_state)
        r.tcpInfoCaState = UInt32(t.tcpi_ca_state)
        r.tcpInfoRetransmits = UInt32(t.tcpi_retransmits)
        r.tcpInfoProbes = UInt32(t.tcpi_probes)
        r.tcpInfoBackoff = UInt32(t.tcpi_backoff)
        r.tcpInfoOptions = UInt32(t.tcpi_options)
        r.tcpInfoSendScale = UInt32(t.tcpi_snd_wscale)
        r.tcpInfoRcvScale = UInt32(t.tcpi_rcv_wscale)
        r.tcpInfoDeliveryRateAppLimited = UInt32(t.tcpi_delivery_rate_app_limited)
        r.tcpInfoFastOpenClientFailed = UInt32(t.tcpi_fastopen_client_fail)
        r.tcpInfoRto = t.tcpi_rto
        r.tcpInfoAto = t.tcpi_ato
        r.tcpInfoSndMss = t.tcpi_snd_mss
        r.tcpInfoRcvMss = t.tcpi_rcv_mss
        r.tcpInfoUnacked = t.tcpi_unacked
        r.tcpInfoSacked = t.tcpi_sacked
        r.tcpInfoLost = t.tcpi_lost
        r.tcpInfoRetrans = t.tcpi_retrans
        r.tcpInfoFackets = t.tcpi_fackets
        r.tcpInfoLastDataSent = t.tcpi_last_data_sent
        r.tcpInfoLastAckSent = t.tcpi_last_ack_sent
        r.tcpInfoLastDataRecv = t.tcpi_last_data_recv
        r.tcpInfoLastAckRecv = t.tcpi_last_ack_recv
        r.tcpInfoPmtu = t.tcpi_pmtu
        r.tcpInfoRcvSsthresh = t.tcpi_rcv_ssthresh
        r.tcpInfoRtt = t.tcpi_rtt
        r.tcpInfoRttVar = t.tcpi_rttvar
        r.tcpInfoSndSsthresh = t.tcpi_snd_ssthresh
        r.tcpInfoSndCwnd = t.tcpi_snd_cwnd
        r.tcpInfoAdvMss = t.tcpi_advmss
        r.tcpInfoReordering = t.tcpi_reordering
        r.tcpInfoRcvRtt = t.tcpi_rcv_rtt
        r.tcpInfoRcvSpace = t.tcpi_rcv_space
        r.tcpInfoTotalRetrans = t.tcpi_total_retrans
        r.tcpInfoPacingRate = t.tcpi_pacing_rate
        r.tcpInfoMaxPacingRate = t.tcpi_max_pacing_rate
        r.tcpInfoBytesAcked = t.tcpi_bytes_acked
        r.tcpInfoBytesReceived = t.tcpi_bytes_received
        r.tcpInfoSegsOut = t.tcpi_segs_out
        r.tcpInfoSegsIn = t.tcpi_segs_in
        r.tcpInfoNotSentBytes = t.tcpi_notsent_bytes
        r.tcpInfoMinRtt = t.tcpi_min_rtt
        r.tcpInfoDataSegsIn = t.tcpi_data_segs_in
        r.tcpInfoDataSegsOut = t.tcpi_data_segs_out
        r.tcpInfoDeliveryRate = t.tcpi_delivery_rate
        r.tcpInfoBusyTime = t.tcpi_busy_time
        r.tcpInfoRwndLimited = t.tcpi_rwnd_limited
        r.tcpInfoSndbufLimited = t.tcpi_sndbuf_limited
        r.tcpInfoDelivered = t.tcpi_delivered
        r.tcpInfoDeliveredCe = t.tcpi_delivered_ce
        r.tcpInfoBytesSent = t.tcpi_bytes_sent
        r.tcpInfoBytesRetrans = t.tcpi_bytes_retrans
        r.tcpInfoDsackDups = t.tcpi_dsack_dups
        r.tcpInfoReordSeen = t.tcpi_reord_seen
        r.tcpInfoRcvOoopack = t.tcpi_rcv_ooopack
        r.tcpInfoSndWnd = t.tcpi_snd_wnd
        r.tcpInfoRcvWnd = t.tcpi_rcv_wnd
        r.tcpInfoRehash = t.tcpi_rehash
        r.tcpInfoTotalRto = UInt32(t.tcpi_total_rto)
        r.tcpInfoTotalRtoRecoveries = UInt32(t.tcpi_total_rto_recoveries)
        r.tcpInfoTotalRtoTime = t.tcpi_total_rto_time
        let ecn = tcpInfoLayout.fields(of: t.tcpi_accecn_word)
        r.tcpInfoEcnMode = ecn.ecnMode
        r.tcpInfoAccecnOptSeen = ecn.optSeen
        r.tcpInfoAccecnFailMode = ecn.failMode
        r.tcpInfoOptions2 = ecn.options2
        r.tcpInfoReceivedCe = t.tcpi_received_ce
        r.tcpInfoDeliveredE1Bytes = t.tcpi_delivered_e1_bytes
        r.tcpInfoDeliveredE0Bytes = t.tcpi_delivered_e0_bytes
        r.tcpInfoDeliveredCeBytes = t.tcpi_delivered_ce_bytes
        r.tcpInfoReceivedE1Bytes = t.tcpi_received_e1_bytes
        r.tcpInfoReceivedE0Bytes = t.tcpi_received_e0_bytes
        r.tcpInfoReceivedCeBytes = t.tcpi_received_ce_bytes
    }
}
