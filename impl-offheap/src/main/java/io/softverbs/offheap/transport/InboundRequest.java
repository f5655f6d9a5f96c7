package io.softverbs.offheap.transport;

import io.softverbs.offheap.engine.Segments;

/**
 * One inbound RC request as the responder sees it, whatever carried it. The mem transport reads it from the
 * requester's WQE in place; a packet transport reads it from headers and payload.
 */
public interface InboundRequest
{
    /** @return {@link io.softverbs.Opcode} ordinal. */
    int opcode();

    /** @return {@link io.softverbs.SendFlags}. */
    int flags();

    /**
     * InfiniBand's AckReq bit: the requester waits for this request's ACK (a completion, a READ/atomic slot, a
     * shared send queue's order, room in its send queue), so the responder sends it in the cycle that executed the
     * request. Other ACKs may wait for the responder's next cycle, where one cumulative ACK covers them: on the mem
     * transport that keeps the ACK's store into the requester's cache line off a ping-pong's critical path.
     *
     * @return true if the ACK is wanted at once; true unless the transport carries the bit.
     */
    default boolean ackRequested()
    {
        return true;
    }

    /** @return payload length (SEND/WRITE) or requested length (READ). */
    long length();

    /** @return remote virtual address (WRITE, READ, atomics). */
    long remoteAddress();

    /** @return remote key. */
    int rkey();

    /** @return immediate data. */
    int immData();

    /** @return rkey to invalidate. */
    int invalidateRkey();

    /** @return compare or add operand. */
    long compareAdd();

    /** @return swap operand. */
    long swap();

    /**
     * Resolves the payload (SEND, WRITE) into checked segments.
     *
     * @param out segments to fill.
     * @return false if the requester's memory failed its check.
     */
    boolean resolveSource(Segments out);

    /**
     * Delivers READ data to the requester's sink.
     *
     * @param source checked responder memory.
     * @return false if the requester's sink failed its check.
     */
    boolean deliverRead(Segments source);

    /** @return false if the atomic's result sink at the requester fails its check. */
    boolean checkAtomicSink();

    /** @param original the value before the atomic, delivered to the requester. */
    void deliverAtomic(long original);

    /**
     * Whether a duplicate READ or atomic is answered with its data again: on a wire, yes (the first response may
     * have been lost, and the requester drops one it no longer waits for); where executing the original wrote its
     * data into the requester's memory itself (mem), no: the duplicate is only acknowledged, because the READ may
     * have completed since and its sink be the application's again.
     *
     * @return true unless the transport delivers into the requester's memory.
     */
    default boolean redeliversDuplicates()
    {
        return true;
    }
}
