package io.softverbs.benchmarks.perf;

/** Tells a serving loop that the client has finished the current size. Cheap enough to ask on every spin. */
@FunctionalInterface
public interface StopSignal
{
    /** A signal that never fires: the measuring side runs its own count. */
    StopSignal NEVER = () -> false;

    /** @return true once the loop should return. */
    boolean stopRequested();
}
