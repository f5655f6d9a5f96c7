package io.softverbs.offheap.engine;

/**
 * A thread that may touch registered memory: engines, and the registration pre-faulter. It marks the stretches in
 * which it does (after checking the region), so the {@link EngineFence} can wait for the one in progress.
 */
public interface FenceMember
{
    /** Returns once the member has left the stretch it was in when this was called (at once if it was in none). */
    void awaitCycleBoundary();
}
