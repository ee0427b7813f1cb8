extension Array {
    /// In an array sorted by `key`, the index of the last element whose key
    /// is at most `value` (the range that may hold an address), if any.
    func lastIndex(sortedBy key: (Element) -> UInt64, atMost value: UInt64) -> Int? {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if key(self[middle]) <= value { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? low - 1 : nil
    }
}
