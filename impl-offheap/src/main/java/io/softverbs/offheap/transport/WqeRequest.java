package io.softverbs.offheap.transport;

import io.softverbs.Access;
import io.softverbs.SendFlags;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import org.agrona.UnsafeApi;

/**
 * A request read in place from the requester's WQE, as an RNIC fetches a WQE by DMA: what a responder in the same
 * process sees. The requester's memory (SGE lists, READ and atomic sinks) is checked against the requester's own
 * key table and PD at every use (or handed over as the requester checked it in the same engine cycle), so a WQE
 * is never trusted for more than its QP may touch.
 */
public final class WqeRequest implements InboundRequest
{
    private final Segments sink = new Segments();
    private SoftQp requester;
    private DeviceBuffer ring;
    private int wqe;
    /** The WQE's SGE list as the requester checked it in this cycle, or null: resolve it here. */
    private Segments checked;
    /** Where {@link #deliverAtomic} writes: the sink {@link #checkAtomicSink} passed. */
    private Segments atomicSink;

    /**
     * A WQE whose SGE list is resolved and checked here, at each use (a responder reading a requester's WQE).
     *
     * @param requester the QP whose send ring holds the WQE.
     * @param wqeBlock  the WQE's first block.
     * @return this.
     */
    public WqeRequest wrap(final SoftQp requester, final long wqeBlock)
    {
        return wrap(requester, wqeBlock, null);
    }

    /**
     * @param requester the QP whose send ring holds the WQE.
     * @param wqeBlock  the WQE's first block.
     * @param checked   the WQE's SGE list as its requester resolved and checked it in this very cycle, with the
     *                  rights the operation needs (none for a source, LOCAL_WRITE for a READ or atomic sink), so
     *                  it is not looked up twice; null for an inline WQE or to resolve it here.
     * @return this.
     */
    public WqeRequest wrap(final SoftQp requester, final long wqeBlock, final Segments checked)
    {
        // Reference stores only on change: each one into this long-lived object runs the collector's write barrier.
        if (this.requester != requester)
        {
            this.requester = requester;
            this.ring = requester.sendRing().buffer();
        }
        if (this.checked != checked)
        {
            this.checked = checked;
        }
        this.wqe = requester.sendRing().offset(wqeBlock);
        return this;
    }

    @Override
    public int opcode()
    {
        return ring.getByte(wqe + WqeLayout.OPCODE);
    }

    @Override
    public int flags()
    {
        return ring.getByte(wqe + WqeLayout.FLAGS);
    }

    @Override
    public long length()
    {
        return ring.getInt(wqe + WqeLayout.LENGTH) & 0xFFFF_FFFFL;
    }

    @Override
    public long remoteAddress()
    {
        return ring.getLong(wqe + WqeLayout.REMOTE_ADDRESS);
    }

    @Override
    public int rkey()
    {
        return ring.getInt(wqe + WqeLayout.RKEY);
    }

    @Override
    public int immData()
    {
        return ring.getInt(wqe + WqeLayout.IMM);
    }

    @Override
    public int invalidateRkey()
    {
        return ring.getInt(wqe + WqeLayout.INV_RKEY);
    }

    @Override
    public long compareAdd()
    {
        return ring.getLong(wqe + WqeLayout.COMPARE_ADD);
    }

    @Override
    public long swap()
    {
        return ring.getLong(wqe + WqeLayout.SWAP);
    }

    @Override
    public boolean resolveSource(final Segments out)
    {
        if ((flags() & SendFlags.INLINE) != 0)
        {
            // The payload lies inside the WQE's blocks in the requester's own ring.
            out.clear();
            out.addChecked(ring.addressOffset() + wqe + WqeLayout.DATA, length());
            return true;
        }
        if (checked != null)
        {
            out.copyFrom(checked);
            return true;
        }
        return out.resolveSgl(requester.keys(), requester.pd(), ring, wqe + WqeLayout.DATA, numSge(), 0) ==
            Segments.ALLOWED;
    }

    @Override
    public boolean deliverRead(final Segments source)
    {
        final Segments target = localSink();
        if (target == null)
        {
            return false;
        }
        Segments.copy(source, target);
        return true;
    }

    @Override
    public boolean checkAtomicSink()
    {
        final Segments target = localSink();
        if (atomicSink != target)
        {
            atomicSink = target;
        }
        return target != null && target.count() == 1 && target.total() == Long.BYTES;
    }

    @Override
    public void deliverAtomic(final long original)
    {
        UnsafeApi.putLong(atomicSink.address(0), original); // checked by checkAtomicSink in this cycle
    }

    /**
     * A READ's or atomic's sink: local SGEs needing LOCAL_WRITE, never a remote right (Read V2).
     *
     * @return the checked sink, or null if it failed its check.
     */
    private Segments localSink()
    {
        if (checked != null)
        {
            return checked;
        }
        return sink.resolveSgl(requester.keys(), requester.pd(), ring, wqe + WqeLayout.DATA, numSge(),
            Access.LOCAL_WRITE) == Segments.ALLOWED ? sink : null;
    }

    private int numSge()
    {
        return ring.getByte(wqe + WqeLayout.NUM_SGE);
    }
}
