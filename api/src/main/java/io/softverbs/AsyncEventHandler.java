package io.softverbs;

/** Receives asynchronous events; the callback form of {@code ibv_get_async_event}. Called on an engine thread. */
@FunctionalInterface
public interface AsyncEventHandler
{
    /** @param event what happened. */
    void onEvent(AsyncEvent event);
}
