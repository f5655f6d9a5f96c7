package io.softverbs;

/** Queue pair creation attributes; maps to {@code struct ibv_qp_init_attr}. */
public final class QpInit
{
    private final QpType type;
    private final CompletionQueue sendCq;
    private final CompletionQueue recvCq;
    private final SharedReceiveQueue srq;
    private final SharedSendQueue sharedSendQueue;
    private final int maxSendWr;
    private final int maxRecvWr;
    private final int maxSendSge;
    private final int maxRecvSge;
    private final int maxInlineData;
    private final boolean signalAll;

    private QpInit(final Builder b)
    {
        type = b.type;
        sendCq = b.sendCq;
        recvCq = b.recvCq;
        srq = b.srq;
        sharedSendQueue = b.sharedSendQueue;
        maxSendWr = b.maxSendWr;
        maxRecvWr = b.maxRecvWr;
        maxSendSge = b.maxSendSge;
        maxRecvSge = b.maxRecvSge;
        maxInlineData = b.maxInlineData;
        signalAll = b.signalAll;
    }

    /** @return a builder with the defaults (RC, 128 send and receive WRs, 4 SGEs, 256 bytes inline). */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return {@code qp_type}. */
    public QpType type()
    {
        return type;
    }

    /** @return {@code send_cq}. */
    public CompletionQueue sendCq()
    {
        return sendCq;
    }

    /** @return {@code recv_cq}. */
    public CompletionQueue recvCq()
    {
        return recvCq;
    }

    /** @return {@code srq}, or null. */
    public SharedReceiveQueue srq()
    {
        return srq;
    }

    /** @return the shared send queue this QP is a channel of, or null. */
    public SharedSendQueue sharedSendQueue()
    {
        return sharedSendQueue;
    }

    /** @return {@code cap.max_send_wr}. */
    public int maxSendWr()
    {
        return maxSendWr;
    }

    /** @return {@code cap.max_recv_wr}. */
    public int maxRecvWr()
    {
        return maxRecvWr;
    }

    /** @return {@code cap.max_send_sge}. */
    public int maxSendSge()
    {
        return maxSendSge;
    }

    /** @return {@code cap.max_recv_sge}. */
    public int maxRecvSge()
    {
        return maxRecvSge;
    }

    /** @return {@code cap.max_inline_data}. */
    public int maxInlineData()
    {
        return maxInlineData;
    }

    /** @return {@code sq_sig_all}. */
    public boolean signalAll()
    {
        return signalAll;
    }

    /** Builder of {@link QpInit}. */
    public static final class Builder
    {
        private QpType type = QpType.RC;
        private CompletionQueue sendCq;
        private CompletionQueue recvCq;
        private SharedReceiveQueue srq;
        private SharedSendQueue sharedSendQueue;
        private int maxSendWr = 128;
        private int maxRecvWr = 128;
        private int maxSendSge = 4;
        private int maxRecvSge = 4;
        private int maxInlineData = 256;
        private boolean signalAll;

        private Builder()
        {
        }

        /** @param type transport type. @return this. */
        public Builder type(final QpType type)
        {
            this.type = type;
            return this;
        }

        /** @param cq CQ for send completions. @return this. */
        public Builder sendCq(final CompletionQueue cq)
        {
            this.sendCq = cq;
            return this;
        }

        /** @param cq CQ for receive completions. @return this. */
        public Builder recvCq(final CompletionQueue cq)
        {
            this.recvCq = cq;
            return this;
        }

        /** @param srq shared receive queue to take receives from. @return this. */
        public Builder srq(final SharedReceiveQueue srq)
        {
            this.srq = srq;
            return this;
        }

        /** @param ssq shared send queue this QP becomes a channel of. @return this. */
        public Builder sharedSendQueue(final SharedSendQueue ssq)
        {
            this.sharedSendQueue = ssq;
            return this;
        }

        /** @param n send queue depth. @return this. */
        public Builder maxSendWr(final int n)
        {
            this.maxSendWr = n;
            return this;
        }

        /** @param n receive queue depth. @return this. */
        public Builder maxRecvWr(final int n)
        {
            this.maxRecvWr = n;
            return this;
        }

        /** @param n SGEs per send request. @return this. */
        public Builder maxSendSge(final int n)
        {
            this.maxSendSge = n;
            return this;
        }

        /** @param n SGEs per receive request. @return this. */
        public Builder maxRecvSge(final int n)
        {
            this.maxRecvSge = n;
            return this;
        }

        /** @param n largest inline payload. @return this. */
        public Builder maxInlineData(final int n)
        {
            this.maxInlineData = n;
            return this;
        }

        /** @param signalAll true to signal every send request. @return this. */
        public Builder signalAll(final boolean signalAll)
        {
            this.signalAll = signalAll;
            return this;
        }

        /** @return the attributes; checked against the device when the QP is created. */
        public QpInit build()
        {
            if (type == null)
            {
                throw new VerbsException(Errors.EINVAL, "QP type must be set");
            }
            return new QpInit(this);
        }
    }
}
