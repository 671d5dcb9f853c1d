using System.Buffers.Binary;
using System.Text;

namespace Microsoft.ML.HyperDpo.Native;

/// <summary>
/// Marks one required symbol version of an ELF64 shared library as weak (<c>VER_FLG_WEAK</c>), in
/// place, so that the dynamic loader accepts the library where that version is missing.
/// </summary>
/// <remarks>
/// Used for TorchSharp's <c>libLibTorchSharp.so</c>, which asks for <c>GLIBCXX_3.4.32</c> only to pull
/// in GCC 13's iostream initialiser (<c>_ZSt21ios_base_library_initv</c>), a symbol it never calls.
/// The patch is applied only when every dynamic symbol that carries that version is on an allow
/// list, so a library that really needs the missing version keeps failing loudly.
/// </remarks>
internal static class ElfVersionNeedPatcher
{
    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerNeed = 0x6ffffffe;
    private const uint ShtGnuVerSym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>What <see cref="Inspect"/> found for the requested version.</summary>
    internal enum Finding
    {
        /// <summary>The library does not require that version.</summary>
        NotRequired,
        /// <summary>The version is required and already weak.</summary>
        AlreadyWeak,
        /// <summary>The version is required, strong, and only by allowed symbols: safe to weaken.</summary>
        Patchable,
        /// <summary>Some symbol outside the allow list needs the version: weakening would hide a real failure.</summary>
        UsedBySymbols,
    }

    /// <summary>Looks at the library's bytes and says what <see cref="TryPatch"/> would do.</summary>
    internal static Finding Inspect(byte[] elf, string version, IReadOnlySet<string> allowedSymbols, out int flagsOffset)
    {
        flagsOffset = -1;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");

        var span = elf.AsSpan();
        long shOff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shEntSize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shNum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);

        Section? verNeed = null, verSym = null, dynSym = null;
        var sections = new Section[shNum];
        for (int i = 0; i < shNum; i++)
        {
            var h = span.Slice(checked((int)(shOff + (long)i * shEntSize)), shEntSize);
            sections[i] = new Section(
                Type: BinaryPrimitives.ReadUInt32LittleEndian(h[4..]),
                Offset: checked((int)BinaryPrimitives.ReadUInt64LittleEndian(h[24..])),
                Size: checked((int)BinaryPrimitives.ReadUInt64LittleEndian(h[32..])),
                Link: BinaryPrimitives.ReadUInt32LittleEndian(h[40..]),
                Info: BinaryPrimitives.ReadUInt32LittleEndian(h[44..]),
                EntSize: checked((int)BinaryPrimitives.ReadUInt64LittleEndian(h[56..])));
            switch (sections[i].Type)
            {
                case ShtGnuVerNeed: verNeed = sections[i]; break;
                case ShtGnuVerSym: verSym = sections[i]; break;
                case ShtDynSym: dynSym = sections[i]; break;
            }
        }
        if (verNeed is null) return Finding.NotRequired;

        var strTab = sections[verNeed.Link];
        int need = verNeed.Offset;
        for (uint n = 0; n < verNeed.Info; n++)
        {
            int count = BinaryPrimitives.ReadUInt16LittleEndian(span[(need + 2)..]);
            int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 8)..]);
            for (int a = 0; a < count; a++)
            {
                ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(aux + 4)..]);
                ushort index = BinaryPrimitives.ReadUInt16LittleEndian(span[(aux + 6)..]);
                uint name = BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                if (ReadString(elf, strTab.Offset + (int)name) == version)
                {
                    flagsOffset = aux + 4;
                    if ((flags & VerFlagWeak) != 0) return Finding.AlreadyWeak;
                    return SymbolsWithVersion(elf, dynSym, verSym, index).All(allowedSymbols.Contains)
                        ? Finding.Patchable
                        : Finding.UsedBySymbols;
                }
                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
            }
            need += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 12)..]);
        }
        return Finding.NotRequired;

        IEnumerable<string> SymbolsWithVersion(byte[] bytes, Section? symbols, Section? versions, ushort versionIndex)
        {
            if (symbols is null || versions is null) yield break;
            var symStr = sections[symbols.Link];
            int symCount = symbols.Size / symbols.EntSize;
            for (int s = 0; s < symCount; s++)
            {
                ushort v = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(versions.Offset + 2 * s)) & 0x7fff);
                if (v != versionIndex) continue;
                uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(symbols.Offset + s * symbols.EntSize));
                yield return ReadString(bytes, symStr.Offset + (int)nameOffset);
            }
        }
    }

    /// <summary>
    /// Weakens <paramref name="version"/> in the file at <paramref name="path"/> when that is safe.
    /// The new bytes are written to a temporary file beside it and renamed over the original, so a
    /// reader never sees a half-written library.
    /// </summary>
    /// <returns>What was found; <see cref="Finding.Patchable"/> means the file was changed.</returns>
    internal static Finding TryPatch(string path, string version, IReadOnlySet<string> allowedSymbols)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var finding = Inspect(bytes, version, allowedSymbols, out int flagsOffset);
        if (finding != Finding.Patchable) return finding;

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(flagsOffset), (ushort)(flags | VerFlagWeak));
        // Through the one save routine, which keeps the library's file mode.
        Persistence.AtomicFile.WriteAllBytes(path, bytes);
        return finding;
    }

    private static string ReadString(byte[] bytes, int offset)
    {
        int end = Array.IndexOf(bytes, (byte)0, offset);
        return Encoding.ASCII.GetString(bytes, offset, end - offset);
    }

    private sealed record Section(uint Type, int Offset, int Size, uint Link, uint Info, int EntSize);
}
