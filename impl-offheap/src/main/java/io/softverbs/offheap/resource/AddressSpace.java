package io.softverbs.offheap.resource;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Checks that a raw address range is mapped and readable in this process, from {@code /proc/self/maps}, before the
 * engine ever touches it: the software counterpart of a NIC's pinning failing on a bad range. The file is read a
 * few lines per step so a large process map never holds up the data path for long. Where the file does not exist
 * (not Linux) the range is taken on trust.
 */
final class AddressSpace implements AutoCloseable
{
    /** {@link #step} result: the whole range is mapped readable. */
    static final int READABLE = 0;
    /** {@link #step} result: part of the range is not mapped readable. */
    static final int UNREADABLE = 1;
    /** {@link #step} result: not decided yet; call again. */
    static final int MORE = 2;

    private static final Path MAPS = Paths.get("/proc/self/maps");
    private static final int LINES_PER_CLOCK_CHECK = 16;

    private final long end;
    private long covered;
    private BufferedReader reader;

    /**
     * @param address start.
     * @param length  bytes.
     */
    AddressSpace(final long address, final long length)
    {
        this.covered = address;
        this.end = address + length;
    }

    /**
     * Reads mappings until the answer is known or the deadline passes.
     *
     * @param deadlineNs {@link System#nanoTime()} deadline.
     * @return {@link #READABLE}, {@link #UNREADABLE} or {@link #MORE}.
     */
    int step(final long deadlineNs)
    {
        try
        {
            if (reader == null)
            {
                if (!Files.isReadable(MAPS))
                {
                    return READABLE;
                }
                reader = Files.newBufferedReader(MAPS, StandardCharsets.US_ASCII);
            }
            int lines = 0;
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
                if (++lines == LINES_PER_CLOCK_CHECK)
                {
                    lines = 0;
                    if (System.nanoTime() - deadlineNs >= 0 && Long.compareUnsigned(covered, end) < 0)
                    {
                        return MORE;
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            return UNREADABLE;
        }
        close();
        return Long.compareUnsigned(covered, end) >= 0 ? READABLE : UNREADABLE;
    }

    @Override
    public void close()
    {
        if (reader != null)
        {
            try
            {
                reader.close();
            }
            catch (final IOException ignore)
            {
                // nothing was written; nothing to lose
            }
            reader = null;
        }
    }
}
