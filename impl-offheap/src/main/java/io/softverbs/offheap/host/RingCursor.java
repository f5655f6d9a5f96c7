package io.softverbs.offheap.host;

import io.softverbs.LinePadding;

/**
 * One side of a ring shared by two threads: its own position and the last value it read of the other side's
 * published position. Each side keeps these on cache lines of their own and reads the other side's doorbell only
 * when the cached value says it must (the ring looks full to a producer, empty to a consumer), as Agrona's rings
 * cache their head. When the mem transport's direct path consumes a receive or produces a CQE on the sending
 * thread, the other side is another core: a field next to the other side's would move a line between the cores on
 * every operation.
 */
final class RingCursor extends LinePadding
{
    long position;
    long seen;
    /** The last value read ahead ({@link RecvRing#readAhead}): stored so the read is not optimised away. */
    long readAhead;
}
