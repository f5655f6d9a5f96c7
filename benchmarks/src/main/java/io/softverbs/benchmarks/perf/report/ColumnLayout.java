package io.softverbs.benchmarks.perf.report;

import java.util.Arrays;

/**
 * A table whose header is fixed text (perftest's, character for character) and whose rows put each value
 * right-aligned under the end of its column's name, so rows line up with the header however it is spaced.
 */
public final class ColumnLayout
{
    private final String header;
    private final int[] ends;

    /**
     * @param header  the header line.
     * @param columns the column names, in order, as they appear in the header.
     */
    public ColumnLayout(final String header, final String... columns)
    {
        this.header = header;
        ends = new int[columns.length];
        int from = 0;
        for (int i = 0; i < columns.length; i++)
        {
            final int at = header.indexOf(columns[i], from);
            if (at < 0)
            {
                throw new IllegalArgumentException("column '" + columns[i] + "' not in header: " + header);
            }
            ends[i] = at + columns[i].length();
            from = ends[i];
        }
    }

    /** @return the header line. */
    public String header()
    {
        return header;
    }

    /**
     * @param values one formatted value per column.
     * @return the row; a value longer than its column pushes the rest right by one space at least.
     */
    public String row(final String... values)
    {
        if (values.length != ends.length)
        {
            throw new IllegalArgumentException("expected " + ends.length + " values: " + Arrays.toString(values));
        }
        final StringBuilder sb = new StringBuilder(header.length() + 16);
        for (int i = 0; i < values.length; i++)
        {
            final int pad = Math.max(1, ends[i] - sb.length() - values[i].length());
            sb.append(" ".repeat(pad)).append(values[i]);
        }
        return sb.toString();
    }
}
