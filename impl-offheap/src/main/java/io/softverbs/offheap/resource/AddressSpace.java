package io.softverbs.offheap.resource;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Checks that a raw address range is mapped and readable in this process, from {@code /proc/self/maps}, before
 * anything touches it: the software counterpart of a NIC's pinning failing on a bad range. Where the file does not
 * exist (not Linux) the range is taken on trust. Runs on a registration worker, never on an engine.
 */
final class AddressSpace
{
    private static final Path MAPS = Paths.get("/proc/self/maps");

    private AddressSpace()
    {
    }

    /**
     * @param address start.
     * @param length  bytes.
     * @return true if every byte of [address, address + length) lies in readable mappings.
     */
    static boolean isReadable(final long address, final long length)
    {
        if (!Files.isReadable(MAPS))
        {
            return true;
        }
        final long end = address + length;
        long covered = address;
        try (BufferedReader reader = Files.newBufferedReader(MAPS, StandardCharsets.US_ASCII))
        {
            String line;
            while (Long.compareUnsigned(covered, end) < 0 && (line = reader.readLine()) != null)
            {
                final int dash = line.indexOf('-');
                final int space = line.indexOf(' ', dash);
                final long start = Long.parseUnsignedLong(line, 0, dash, 16);
                final long stop = Long.parseUnsignedLong(line, dash + 1, space, 16);
                final boolean readable = line.charAt(space + 1) == 'r';
                // Mappings are sorted by address; extend the covered prefix while they stay contiguous.
                if (readable && Long.compareUnsigned(start, covered) <= 0 && Long.compareUnsigned(stop, covered) > 0)
                {
                    covered = stop;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
        return Long.compareUnsigned(covered, end) >= 0;
    }
}
