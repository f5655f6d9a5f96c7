package io.softverbs;

/**
 * Who runs the engine of a context. libibverbs has no counterpart: on hardware the NIC progresses by itself.
 */
public enum ProgressMode
{
    /** The engine has its own thread; a program that never calls {@link Context#progress()} just works. */
    DEDICATED,
    /**
     * The application runs the engine: {@link Context#progress()}, {@code poll} on an empty completion queue, and
     * {@code postSend}, which transmits what it posts when the engine is free and, on an idle queue pair whose peer
     * memory the transport reaches directly, executes and completes a WRITE, READ or atomic itself. Nothing happens
     * between those calls: requests from peers wait, and so does the acknowledgement of a request whose requester
     * did not ask for it at once (an unsignaled one, its send queue far from full), which leaves with the next of
     * those calls that runs the engine after the one that received the request. A program that stops calling while
     * peers still send to it makes their requests time out.
     */
    INVOKER
}
