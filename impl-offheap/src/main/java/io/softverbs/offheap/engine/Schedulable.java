package io.softverbs.offheap.engine;

/** Something a doorbell puts on the engine's run queue: a QP's send queue or a shared send queue. */
public interface Schedulable
{
    /** @return true if it was not scheduled yet (the caller enqueues it). */
    boolean trySchedule();

    /** Clears the mark before it is served, so a later doorbell schedules it again. */
    void clearScheduled();
}
