import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The function symbols of one ELF object on disk (`.symtab`, or `.dynsym`
/// where that is stripped), sorted by address, and the offset between the
/// file's addresses and where the object is loaded. Read with pread: a
/// profile names a few hundred addresses, not the whole file.
struct ELFSymbols {
    struct Symbol {
        var start: UInt64
        var size: UInt64
        var name: String
    }

    /// A symbol as read: its name stays an offset into `names` until a
    /// sample lands in it (libswiftCore has tens of thousands of symbols;
    /// a profile touches a few hundred).
    private struct Entry {
        var start: UInt64
        var size: UInt64
        var nameOffset: Int
    }

    /// Sorted by `start`.
    private var entries: [Entry] = []
    private var names: [UInt8] = []
    /// The lowest virtual address of a loadable segment, rounded down to its
    /// page as the loader maps it: the object's first mapping starts there
    /// plus the load bias.
    private(set) var firstLoadAddress: UInt64 = 0
    /// Whether the symbols are the full `.symtab` (not only `.dynsym`).
    private(set) var isFullTable = false
    /// The GNU build id (NT_GNU_BUILD_ID), which names the object's
    /// detached debug file; empty when it has none.
    private(set) var buildID: [UInt8] = []

    /// An object's symbols; for a stripped one (a packaged binary: only
    /// `.dynsym`, which names few of an executable's functions), those of
    /// its detached debug file, found by build id as gdb finds it
    /// (`/usr/lib/debug/.build-id/ab/cdef….debug`, the -dbgsym package).
    static func loading(path: String, debugRoot: String = "/usr/lib/debug") -> ELFSymbols? {
        guard let own = ELFSymbols(path: path) else { return nil }
        guard !own.isFullTable, own.buildID.count > 1 else { return own }
        let hex = own.buildID.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        guard let detached = ELFSymbols(path: "\(debugRoot)/.build-id/\(hex.prefix(2))/\(hex.dropFirst(2)).debug"),
              detached.isFullTable else { return own }
        return detached
    }

    /// Nil when `path` is not a readable 64-bit little-endian ELF file.
    init?(path: String) {
        guard let file = try? Syscall.open(path: path, flags: O_RDONLY) else { return nil }
        let reader = Reader(fd: file.rawValue)
        guard let header = reader.bytes(at: 0, count: 64), header.starts(with: [0x7F, 0x45, 0x4C, 0x46]),
              header[4] == 2, header[5] == 1 else { return nil }  // ELFCLASS64, little-endian
        let programOffset = header.load(UInt64.self, at: 0x20)
        let sectionOffset = header.load(UInt64.self, at: 0x28)
        let programEntrySize = Int(header.load(UInt16.self, at: 0x36))
        let programCount = Int(header.load(UInt16.self, at: 0x38))
        let sectionEntrySize = Int(header.load(UInt16.self, at: 0x3A))
        let sectionCount = Int(header.load(UInt16.self, at: 0x3C))
        guard programEntrySize >= 56, sectionEntrySize >= 64,
              let programs = reader.bytes(at: programOffset, count: programEntrySize * programCount),
              let sections = reader.bytes(at: sectionOffset, count: sectionEntrySize * sectionCount) else { return nil }
        firstLoadAddress = (0..<programCount).lazy.map { $0 * programEntrySize }
            .filter { programs.load(UInt32.self, at: $0) == 1 }  // PT_LOAD
            .map { programs.load(UInt64.self, at: $0 + 0x10) & ~0xFFF }.min() ?? 0

        func section(_ index: Int) -> (type: UInt32, offset: UInt64, size: UInt64, link: Int) {
            let base = index * sectionEntrySize
            return (sections.load(UInt32.self, at: base + 4), sections.load(UInt64.self, at: base + 0x18),
                    sections.load(UInt64.self, at: base + 0x20), Int(sections.load(UInt32.self, at: base + 0x28)))
        }
        for index in 0..<sectionCount where section(index).type == 7 && buildID.isEmpty {  // SHT_NOTE
            let note = section(index)
            if let bytes = reader.bytes(at: note.offset, count: Int(min(note.size, 4096))) { buildID = Self.gnuBuildID(inNotes: bytes) }
        }
        let fullTable = (0..<sectionCount).first { section($0).type == 2 }  // SHT_SYMTAB
        isFullTable = fullTable != nil
        let symbolSection = fullTable ?? (0..<sectionCount).first { section($0).type == 11 }  // SHT_DYNSYM
        guard let symbolSection, case let symtab = section(symbolSection), symtab.link < sectionCount,
              case let strtab = section(symtab.link),
              let table = reader.bytes(at: symtab.offset, count: Int(symtab.size)),
              let strings = reader.bytes(at: strtab.offset, count: Int(strtab.size)) else { return nil }
        names = strings
        for base in stride(from: 0, to: table.count - 23, by: 24) {
            let info = table[base + 4]
            let value = table.load(UInt64.self, at: base + 8)
            let nameOffset = Int(table.load(UInt32.self, at: base))
            guard info & 0xF == 2, value != 0, nameOffset < names.count else { continue }  // STT_FUNC, defined
            entries.append(Entry(start: value, size: table.load(UInt64.self, at: base + 16), nameOffset: nameOffset))
        }
        entries.sort { $0.start < $1.start }
    }

    /// The descriptor of the NT_GNU_BUILD_ID note among `notes` (each: name
    /// size, descriptor size, type, then the name and the descriptor, each
    /// padded to 4 bytes); empty when there is none.
    static func gnuBuildID(inNotes notes: [UInt8]) -> [UInt8] {
        var at = 0
        while at + 12 <= notes.count {
            let nameSize = Int(notes.load(UInt32.self, at: at)), descriptorSize = Int(notes.load(UInt32.self, at: at + 4))
            let type = notes.load(UInt32.self, at: at + 8)
            let name = at + 12, descriptor = name + ((nameSize + 3) & ~3)
            guard nameSize < 256, descriptorSize < 256, descriptor + descriptorSize <= notes.count else { return [] }
            if type == 3, nameSize == 4, notes[name..<name + 4].elementsEqual([0x47, 0x4E, 0x55, 0]) {  // "GNU"
                return Array(notes[descriptor..<descriptor + descriptorSize])
            }
            at = descriptor + ((descriptorSize + 3) & ~3)
        }
        return []
    }

    /// The symbol covering file address `address`: the last one starting at
    /// or before it, if its size reaches it (or it has no size).
    func symbol(containing address: UInt64) -> Symbol? {
        guard let index = entries.lastIndex(sortedBy: \.start, atMost: address) else { return nil }
        let found = entries[index]
        guard found.size == 0 || address < found.start + found.size else { return nil }
        let nameEnd = names[found.nameOffset...].firstIndex(of: 0) ?? names.count
        return Symbol(start: found.start, size: found.size, name: String(decoding: names[found.nameOffset..<nameEnd], as: UTF8.self))
    }

    private struct Reader {
        let fd: Int32
        func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
            guard count >= 0, count < 1 << 28 else { return nil }
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = try? out.withUnsafeMutableBytes {
                    try Syscall.pread(descriptor: fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[done...]), offset: Int64(offset) + Int64(done))
                }
                guard let got, got > 0 else { return nil }
                done += got
            }
            return out
        }
    }
}

extension [UInt8] {
    /// A little-endian integer at `offset` (ELF files here are little-endian).
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        // Safe: callers read within an array whose size they checked
        // against the header they parsed; loadUnaligned has no alignment
        // requirement.
        withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
