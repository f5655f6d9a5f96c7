package io.softverbs;

/**
 * A send queue shared by many RC QPs (channels); completions come in posting order. softverbs only.
 */
public interface SharedSendQueue extends AutoCloseable
{
    /**
     * @param channel a QP created with this SSQ.
     * @param wr      the request.
     * @return 0 or a negative {@link Errors} code.
     */
    int postSend(QueuePair channel, SendWorkRequest wr);

    @Override
    void close();
}
