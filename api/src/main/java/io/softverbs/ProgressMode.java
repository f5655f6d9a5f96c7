package io.softverbs;

/**
 * Who runs the engine of a context. libibverbs has no counterpart: on hardware the NIC progresses by itself.
 */
public enum ProgressMode
{
    /** The engine has its own thread; a program that never calls {@link Context#progress()} just works. */
    DEDICATED,
    /** The application runs the engine: {@link Context#progress()}, and {@code poll} on an empty completion queue. */
    INVOKER
}
