package io.softverbs;

/** Shared send queue creation attributes (softverbs only). */
public final class SsqInit
{
    private final int maxWr;
    private final int maxSge;
    private final int maxInlineData;
    private final CompletionQueue sendCq;

    private SsqInit(final Builder b)
    {
        maxWr = b.maxWr;
        maxSge = b.maxSge;
        maxInlineData = b.maxInlineData;
        sendCq = b.sendCq;
    }

    /** @return a builder. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return depth. */
    public int maxWr()
    {
        return maxWr;
    }

    /** @return SGEs per request. */
    public int maxSge()
    {
        return maxSge;
    }

    /** @return largest inline payload. */
    public int maxInlineData()
    {
        return maxInlineData;
    }

    /** @return the CQ every channel's send completions go to. */
    public CompletionQueue sendCq()
    {
        return sendCq;
    }

    /** Builder of {@link SsqInit}. */
    public static final class Builder
    {
        private int maxWr = 1024;
        private int maxSge = 4;
        private int maxInlineData = 256;
        private CompletionQueue sendCq;

        private Builder()
        {
        }

        /** @param n depth. @return this. */
        public Builder maxWr(final int n)
        {
            this.maxWr = n;
            return this;
        }

        /** @param n SGEs per request. @return this. */
        public Builder maxSge(final int n)
        {
            this.maxSge = n;
            return this;
        }

        /** @param n largest inline payload. @return this. */
        public Builder maxInlineData(final int n)
        {
            this.maxInlineData = n;
            return this;
        }

        /** @param cq CQ for all channels' send completions. @return this. */
        public Builder sendCq(final CompletionQueue cq)
        {
            this.sendCq = cq;
            return this;
        }

        /** @return the attributes. */
        public SsqInit build()
        {
            if (sendCq == null || maxWr < 1)
            {
                throw new VerbsException(Errors.EINVAL, "SSQ needs a sendCq and maxWr >= 1");
            }
            return new SsqInit(this);
        }
    }
}
