import Platform

extension NetlinkSocket {
    /// Sends `request` and readies `decoder` for its replies: the
    /// receiving is the caller's (a netlinker's receive loop, or a ring).
    public func startDump(_ request: InetDiagRequest, decoder: inout DumpDecoder) throws(SystemError) {
        try send(request.bytes)
        decoder.expectedSequence = request.sequence
    }
}
