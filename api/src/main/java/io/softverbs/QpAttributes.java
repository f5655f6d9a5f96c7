package io.softverbs;

/**
 * Attributes for {@link QueuePair#modify}; maps to {@code struct ibv_qp_attr} plus its {@code attr_mask}: only
 * the attributes set on the builder are applied, and {@link #mask()} says which.
 */
public final class QpAttributes
{
    /** {@code IBV_QP_STATE}. */
    public static final int STATE = 1;
    /** {@code IBV_QP_ACCESS_FLAGS}. */
    public static final int ACCESS_FLAGS = 1 << 1;
    /** {@code IBV_QP_PATH_MTU}. */
    public static final int PATH_MTU = 1 << 2;
    /** {@code IBV_QP_DEST_QPN}. */
    public static final int DEST_QPN = 1 << 3;
    /** {@code IBV_QP_AV}: the peer's address. */
    public static final int AV = 1 << 4;
    /** {@code IBV_QP_RQ_PSN}. */
    public static final int RQ_PSN = 1 << 5;
    /** {@code IBV_QP_SQ_PSN}. */
    public static final int SQ_PSN = 1 << 6;
    /** {@code IBV_QP_TIMEOUT}. */
    public static final int TIMEOUT = 1 << 7;
    /** {@code IBV_QP_RETRY_CNT}. */
    public static final int RETRY_CNT = 1 << 8;
    /** {@code IBV_QP_RNR_RETRY}. */
    public static final int RNR_RETRY = 1 << 9;
    /** {@code IBV_QP_MIN_RNR_TIMER}. */
    public static final int MIN_RNR_TIMER = 1 << 10;
    /** {@code IBV_QP_MAX_QP_RD_ATOMIC}. */
    public static final int MAX_QP_RD_ATOMIC = 1 << 11;
    /** {@code IBV_QP_MAX_DEST_RD_ATOMIC}. */
    public static final int MAX_DEST_RD_ATOMIC = 1 << 12;

    private final int mask;
    private final QpState state;
    private final int accessFlags;
    private final int pathMtu;
    private final int destQpNum;
    private final String remoteAddress;
    private final int rqPsn;
    private final int sqPsn;
    private final int timeout;
    private final int retryCount;
    private final int rnrRetry;
    private final int minRnrTimer;
    private final int maxRdAtomic;
    private final int maxDestRdAtomic;

    private QpAttributes(final Builder b)
    {
        mask = b.mask;
        state = b.state;
        accessFlags = b.accessFlags;
        pathMtu = b.pathMtu;
        destQpNum = b.destQpNum;
        remoteAddress = b.remoteAddress;
        rqPsn = b.rqPsn;
        sqPsn = b.sqPsn;
        timeout = b.timeout;
        retryCount = b.retryCount;
        rnrRetry = b.rnrRetry;
        minRnrTimer = b.minRnrTimer;
        maxRdAtomic = b.maxRdAtomic;
        maxDestRdAtomic = b.maxDestRdAtomic;
    }

    /** @return an empty builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the {@code attr_mask}: which attributes are set. */
    public int mask()
    {
        return mask;
    }

    /** @param bits mask bits. @return true if all of them are set. */
    public boolean has(final int bits)
    {
        return (mask & bits) == bits;
    }

    /** @return {@code qp_state}. */
    public QpState state()
    {
        return state;
    }

    /** @return {@code qp_access_flags}, {@link Access} bits. */
    public int accessFlags()
    {
        return accessFlags;
    }

    /** @return path MTU in bytes. */
    public int pathMtu()
    {
        return pathMtu;
    }

    /** @return {@code dest_qp_num}. */
    public int destQpNum()
    {
        return destQpNum;
    }

    /** @return the peer's transport address. */
    public String remoteAddress()
    {
        return remoteAddress;
    }

    /** @return {@code rq_psn}. */
    public int rqPsn()
    {
        return rqPsn;
    }

    /** @return {@code sq_psn}. */
    public int sqPsn()
    {
        return sqPsn;
    }

    /** @return {@code timeout}: 4.096 us x 2^timeout, 0 = infinite. */
    public int timeout()
    {
        return timeout;
    }

    /** @return {@code retry_cnt}, 7 = infinite. */
    public int retryCount()
    {
        return retryCount;
    }

    /** @return {@code rnr_retry}, 7 = infinite. */
    public int rnrRetry()
    {
        return rnrRetry;
    }

    /** @return {@code min_rnr_timer}, an IB RNR timer code. */
    public int minRnrTimer()
    {
        return minRnrTimer;
    }

    /** @return {@code max_rd_atomic}. */
    public int maxRdAtomic()
    {
        return maxRdAtomic;
    }

    /** @return {@code max_dest_rd_atomic}. */
    public int maxDestRdAtomic()
    {
        return maxDestRdAtomic;
    }

    /** Builder of {@link QpAttributes}. */
    public static final class Builder
    {
        private int mask;
        private QpState state;
        private int accessFlags;
        private int pathMtu;
        private int destQpNum;
        private String remoteAddress;
        private int rqPsn;
        private int sqPsn;
        private int timeout;
        private int retryCount;
        private int rnrRetry;
        private int minRnrTimer;
        private int maxRdAtomic;
        private int maxDestRdAtomic;

        private Builder()
        {
        }

        /** @param state target state. @return this. */
        public Builder state(final QpState state)
        {
            this.state = state;
            mask |= STATE;
            return this;
        }

        /** @param access {@link Access} remote rights granted to peers. @return this. */
        public Builder accessFlags(final int access)
        {
            this.accessFlags = access;
            mask |= ACCESS_FLAGS;
            return this;
        }

        /** @param bytes 256, 512, 1024, 2048 or 4096. @return this. */
        public Builder pathMtu(final int bytes)
        {
            this.pathMtu = bytes;
            mask |= PATH_MTU;
            return this;
        }

        /** @param qpNum the peer's QP number. @return this. */
        public Builder destQpNum(final int qpNum)
        {
            this.destQpNum = qpNum;
            mask |= DEST_QPN;
            return this;
        }

        /** @param remote the peer: sets address, destination QPN and rqPsn at once. @return this. */
        public Builder remote(final QpEndpoint remote)
        {
            this.remoteAddress = remote.address();
            this.destQpNum = remote.qpNum();
            this.rqPsn = remote.psn();
            mask |= AV | DEST_QPN | RQ_PSN;
            return this;
        }

        /** @param psn expected PSN of the first inbound request. @return this. */
        public Builder rqPsn(final int psn)
        {
            this.rqPsn = psn;
            mask |= RQ_PSN;
            return this;
        }

        /** @param psn PSN of the first outbound request (default: the local endpoint's). @return this. */
        public Builder sqPsn(final int psn)
        {
            this.sqPsn = psn;
            mask |= SQ_PSN;
            return this;
        }

        /** @param timeout retransmit timer exponent, 0..31. @return this. */
        public Builder timeout(final int timeout)
        {
            this.timeout = timeout;
            mask |= TIMEOUT;
            return this;
        }

        /** @param count transport retries, 0..7. @return this. */
        public Builder retryCount(final int count)
        {
            this.retryCount = count;
            mask |= RETRY_CNT;
            return this;
        }

        /** @param count RNR retries, 0..7 (7 = infinite). @return this. */
        public Builder rnrRetry(final int count)
        {
            this.rnrRetry = count;
            mask |= RNR_RETRY;
            return this;
        }

        /** @param code IB RNR timer code 0..31. @return this. */
        public Builder minRnrTimer(final int code)
        {
            this.minRnrTimer = code;
            mask |= MIN_RNR_TIMER;
            return this;
        }

        /** @param n outstanding READs/atomics this QP issues. @return this. */
        public Builder maxRdAtomic(final int n)
        {
            this.maxRdAtomic = n;
            mask |= MAX_QP_RD_ATOMIC;
            return this;
        }

        /** @param n outstanding READs/atomics this QP accepts. @return this. */
        public Builder maxDestRdAtomic(final int n)
        {
            this.maxDestRdAtomic = n;
            mask |= MAX_DEST_RD_ATOMIC;
            return this;
        }

        /** @return the attributes; validated against the QP's state by {@link QueuePair#modify}. */
        public QpAttributes build()
        {
            return new QpAttributes(this);
        }
    }
}
