package io.softverbs.offheap.resource;

import io.softverbs.Errors;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.engine.Segments;

/**
 * The producer half of {@code ibv_post_send}, shared by a QP's own send queue and a shared send queue: validates a
 * work request, claims ring blocks, writes the WQE (SGEs, or the payload itself for INLINE) and rings the doorbell.
 * Allocation-free; the caller serializes producers of one ring.
 */
final class WqeWriter
{
    private final SendRing ring;
    private final SoftPd pd;
    private final KeyTable keys;
    private final int maxSge;
    private final int maxInlineData;
    /**
     * The region the last inline source resolved to: a stream of posts from one buffer skips the key table. Only a
     * hint, read and written by posters without the send lock: it is used only while its key matches, and its
     * check reads the region's state as a lookup would (a retired region fails it and the table is asked).
     */
    private SoftMr lastInlineSource;

    WqeWriter(final SendRing ring, final SoftPd pd, final KeyTable keys, final int maxSge, final int maxInlineData)
    {
        this.ring = ring;
        this.pd = pd;
        this.keys = keys;
        this.maxSge = maxSge;
        this.maxInlineData = maxInlineData;
    }

    /**
     * The checks that need no key: opcode, flags, SGE count and lengths.
     *
     * @param wr the request.
     * @return 0 or {@link Errors#EINVAL}.
     */
    int checkShape(final SendWorkRequest wr)
    {
        final Opcode opcode = wr.opcode();
        final int flags = wr.flags();
        final int numSge = wr.numSge();
        if (opcode == null || (flags & ~SendFlags.ALL) != 0 || numSge > maxSge || wr.sgeOverflow())
        {
            return Errors.EINVAL;
        }
        final long total = wr.totalLength();
        final boolean inline = isInline(wr);
        if (total > Integer.MAX_VALUE ||
            (opcode.isAtomic() && (numSge != 1 || total != Long.BYTES)) ||
            (inline && total > maxInlineData))
        {
            return Errors.EINVAL;
        }
        return 0;
    }

    /**
     * The checks that need keys: inline sources are read by the poster itself, so they must lie in a registered
     * region of this PD. Run under the ring's producer lock, where they are read.
     *
     * @param wr a request that passed {@link #checkShape}.
     * @return 0, {@link Errors#EINVAL}, or {@link Errors#EAGAIN} (an inline source is still being registered).
     */
    int checkSources(final SendWorkRequest wr)
    {
        return isInline(wr) ? checkInlineSources(wr) : 0;
    }

    /**
     * Checks a request's inline sources and, if they pass, writes it: under the ring's producer lock, which a
     * region's deregistration waits out ({@link SoftPd#awaitInlineReads}), so no source is read after it is freed.
     *
     * @param wr         a request that passed {@link #checkShape}.
     * @param flags      send flags to store (SIGNALED added for sq_sig_all).
     * @param channelQpn the channel QP for a shared send queue, 0 otherwise.
     * @return 0, {@link Errors#EINVAL}, {@link Errors#EAGAIN} (an inline source still registering) or
     *         {@link Errors#ENOMEM} (the ring is full).
     */
    int checkAndWrite(final SendWorkRequest wr, final int flags, final int channelQpn)
    {
        final int sources = checkSources(wr);
        return sources != 0 ? sources : write(wr, flags, channelQpn);
    }

    /**
     * Writes a checked request and rings the doorbell.
     *
     * @param wr         the request, its shape and inline sources checked.
     * @param flags      send flags to store (SIGNALED added for sq_sig_all).
     * @param channelQpn the channel QP for a shared send queue, 0 otherwise.
     * @return 0 or {@link Errors#ENOMEM} if the ring is full.
     */
    int write(final SendWorkRequest wr, final int flags, final int channelQpn)
    {
        final boolean inline = isInline(wr);
        final int numSge = wr.numSge();
        final int total = (int)wr.totalLength();
        final int blocks = blocksFor(inline, total, numSge);
        final long block = ring.claim(blocks);
        if (block < 0)
        {
            return Errors.ENOMEM;
        }
        final DeviceBuffer buffer = ring.buffer();
        final int offset = ring.offset(block);
        buffer.putByte(offset + WqeLayout.OPCODE, (byte)wr.opcode().ordinal());
        buffer.putByte(offset + WqeLayout.FLAGS, (byte)(inline ? flags : flags & ~SendFlags.INLINE));
        buffer.putByte(offset + WqeLayout.NUM_SGE, (byte)(inline ? 0 : numSge));
        buffer.putShort(offset + WqeLayout.BLOCK_COUNT, (short)blocks);
        buffer.putInt(offset + WqeLayout.LENGTH, total);
        buffer.putInt(offset + WqeLayout.IMM, wr.immData());
        buffer.putInt(offset + WqeLayout.INV_RKEY, wr.invalidateRkey());
        buffer.putInt(offset + WqeLayout.CHANNEL, channelQpn);
        buffer.putLong(offset + WqeLayout.WR_ID, wr.wrId());
        buffer.putLong(offset + WqeLayout.REMOTE_ADDRESS, wr.remoteAddress());
        buffer.putInt(offset + WqeLayout.RKEY, wr.rkey());
        buffer.putLong(offset + WqeLayout.COMPARE_ADD, wr.compareAdd());
        buffer.putLong(offset + WqeLayout.SWAP, wr.swap());
        if (inline)
        {
            // Descriptor and data in one WQE: the caller may reuse its buffer as soon as we return.
            long target = buffer.addressOffset() + offset + WqeLayout.DATA;
            for (int i = 0; i < numSge; i++)
            {
                final int length = wr.sgeLength(i);
                Segments.copyChecked(wr.sgeAddress(i), target, length); // checked by checkInlineSources
                target += length;
            }
        }
        else
        {
            for (int i = 0; i < numSge; i++)
            {
                final int sge = offset + WqeLayout.DATA + i * WqeLayout.SGE_SIZE;
                buffer.putLong(sge + WqeLayout.SGE_ADDRESS, wr.sgeAddress(i));
                buffer.putInt(sge + WqeLayout.SGE_LENGTH, wr.sgeLength(i));
                buffer.putInt(sge + WqeLayout.SGE_LKEY, wr.sgeLkey(i));
            }
        }
        ring.ringDoorbell();
        return 0;
    }

    /**
     * Whether {@link #write} would find room for a request now; with the producers serialised, a true stays true
     * until the next write.
     *
     * @param wr a checked request.
     * @return true if the ring has room for it.
     */
    boolean hasRoom(final SendWorkRequest wr)
    {
        return ring.hasRoom(blocksFor(isInline(wr), (int)wr.totalLength(), wr.numSge()));
    }

    /** Blocks of a WQE: the control and remote blocks, then the inline payload or the SGE list. */
    private static int blocksFor(final boolean inline, final int total, final int numSge)
    {
        return WqeLayout.blocksFor(inline ? total : numSge * WqeLayout.SGE_SIZE);
    }

    private static boolean isInline(final SendWorkRequest wr)
    {
        final Opcode opcode = wr.opcode();
        return (wr.flags() & SendFlags.INLINE) != 0 &&
            (opcode.isSend() || opcode == Opcode.RDMA_WRITE || opcode == Opcode.RDMA_WRITE_WITH_IMM);
    }

    private int checkInlineSources(final SendWorkRequest wr)
    {
        for (int i = 0, n = wr.numSge(); i < n; i++)
        {
            final int check = checkInlineSource(wr.sgeLkey(i), wr.sgeAddress(i), wr.sgeLength(i) & 0xFFFF_FFFFL);
            if (check != SoftMr.ALLOWED)
            {
                return check == SoftMr.WAIT ? Errors.EAGAIN : Errors.EINVAL;
            }
        }
        return 0;
    }

    private int checkInlineSource(final int lkey, final long address, final long length)
    {
        final SoftMr last = lastInlineSource;
        if (last != null && last.key() == lkey)
        {
            final int check = last.check(pd, address, length, 0);
            if (check != SoftMr.DENIED)
            {
                return check;
            }
        }
        final SoftMr mr = keys.lookup(lkey);
        if (mr == null)
        {
            return SoftMr.DENIED;
        }
        if (mr != last)
        {
            lastInlineSource = mr; // a reference store only on a change of region
        }
        return mr.check(pd, address, length, 0);
    }
}
