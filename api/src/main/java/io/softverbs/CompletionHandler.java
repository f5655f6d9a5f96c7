package io.softverbs;

/**
 * Receives completions from {@link CompletionQueue#poll(CompletionHandler, int)}. The completion is a flyweight
 * over the CQ slot, valid only during the call; copy what you keep.
 */
@FunctionalInterface
public interface CompletionHandler
{
    /** @param wc the completion, valid during this call. */
    void onCompletion(WorkCompletion wc);
}
