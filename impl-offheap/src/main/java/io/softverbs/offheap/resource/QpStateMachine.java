package io.softverbs.offheap.resource;

import static io.softverbs.QpAttributes.ACCESS_FLAGS;
import static io.softverbs.QpAttributes.AV;
import static io.softverbs.QpAttributes.DEST_QPN;
import static io.softverbs.QpAttributes.MAX_DEST_RD_ATOMIC;
import static io.softverbs.QpAttributes.MAX_QP_RD_ATOMIC;
import static io.softverbs.QpAttributes.MIN_RNR_TIMER;
import static io.softverbs.QpAttributes.PATH_MTU;
import static io.softverbs.QpAttributes.RETRY_CNT;
import static io.softverbs.QpAttributes.RNR_RETRY;
import static io.softverbs.QpAttributes.RQ_PSN;
import static io.softverbs.QpAttributes.STATE;
import static io.softverbs.QpAttributes.TIMEOUT;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.VerbsException;

/**
 * The RC QP state machine of {@code ibv_modify_qp}: which transitions exist and which attributes each requires
 * (InfiniBand spec, table "QP state transition properties", RC column).
 */
public final class QpStateMachine
{
    private static final int RTR_REQUIRED = AV | DEST_QPN | RQ_PSN | PATH_MTU | MIN_RNR_TIMER | MAX_DEST_RD_ATOMIC;
    private static final int RTS_REQUIRED = TIMEOUT | RETRY_CNT | RNR_RETRY | MAX_QP_RD_ATOMIC;
    private static final int MAX_RD_ATOMIC = 16;

    private QpStateMachine()
    {
    }

    /**
     * @param current    current state.
     * @param attributes requested change.
     * @return the target state.
     * @throws VerbsException EINVAL for an invalid transition, a missing required attribute, or a value out of range.
     */
    public static QpState check(final QpState current, final QpAttributes attributes)
    {
        if (!attributes.has(STATE) || attributes.state() == null)
        {
            throw new VerbsException(Errors.EINVAL, "QP attributes must name the target state");
        }
        final QpState target = attributes.state();
        if (!allowed(current, target))
        {
            throw new VerbsException(Errors.EINVAL, "invalid QP transition " + current + " -> " + target);
        }
        final int required = required(current, target);
        if (!attributes.has(required))
        {
            throw new VerbsException(Errors.EINVAL, current + " -> " + target + " is missing required attributes: " +
                names(required & ~attributes.mask()));
        }
        checkRanges(attributes);
        return target;
    }

    private static boolean allowed(final QpState from, final QpState to)
    {
        if (to == QpState.RESET || to == QpState.ERR)
        {
            return true;
        }
        switch (from)
        {
            case RESET:
                return to == QpState.INIT;
            case INIT:
                return to == QpState.INIT || to == QpState.RTR;
            case RTR:
                return to == QpState.RTS;
            case RTS:
                return to == QpState.RTS || to == QpState.SQD;
            case SQD:
                return to == QpState.RTS || to == QpState.SQD;
            case SQE:
                return to == QpState.RTS;
            default:
                return false;
        }
    }

    private static int required(final QpState from, final QpState to)
    {
        if (from == QpState.RESET && to == QpState.INIT)
        {
            return ACCESS_FLAGS;
        }
        if (from == QpState.INIT && to == QpState.RTR)
        {
            return RTR_REQUIRED;
        }
        if (from == QpState.RTR && to == QpState.RTS)
        {
            return RTS_REQUIRED;
        }
        return 0;
    }

    private static void checkRanges(final QpAttributes a)
    {
        if (a.has(ACCESS_FLAGS) && (a.accessFlags() & ~Access.ALL) != 0)
        {
            fail("unknown access flags 0x" + Integer.toHexString(a.accessFlags()));
        }
        if (a.has(PATH_MTU))
        {
            final int mtu = a.pathMtu();
            if (mtu < 256 || mtu > 4096 || Integer.bitCount(mtu) != 1)
            {
                fail("path MTU must be 256, 512, 1024, 2048 or 4096: " + mtu);
            }
        }
        if (a.has(AV) && (a.remoteAddress() == null || a.remoteAddress().isEmpty()))
        {
            fail("remote address must be set");
        }
        range(a, TIMEOUT, a.timeout(), 31, "timeout");
        range(a, RETRY_CNT, a.retryCount(), 7, "retryCount");
        range(a, RNR_RETRY, a.rnrRetry(), 7, "rnrRetry");
        range(a, MIN_RNR_TIMER, a.minRnrTimer(), 31, "minRnrTimer");
        range(a, MAX_QP_RD_ATOMIC, a.maxRdAtomic(), MAX_RD_ATOMIC, "maxRdAtomic");
        range(a, MAX_DEST_RD_ATOMIC, a.maxDestRdAtomic(), MAX_RD_ATOMIC, "maxDestRdAtomic");
        range(a, RQ_PSN, a.rqPsn(), 0xFF_FFFF, "rqPsn");
        range(a, QpAttributes.SQ_PSN, a.sqPsn(), 0xFF_FFFF, "sqPsn");
    }

    private static void range(final QpAttributes a, final int bit, final int value, final int max, final String name)
    {
        if (a.has(bit) && (value < 0 || value > max))
        {
            fail(name + " must be in [0, " + max + "]: " + value);
        }
    }

    private static void fail(final String message)
    {
        throw new VerbsException(Errors.EINVAL, message);
    }

    private static String names(final int mask)
    {
        final String[] names = {
            "STATE", "ACCESS_FLAGS", "PATH_MTU", "DEST_QPN", "AV", "RQ_PSN", "SQ_PSN", "TIMEOUT", "RETRY_CNT",
            "RNR_RETRY", "MIN_RNR_TIMER", "MAX_QP_RD_ATOMIC", "MAX_DEST_RD_ATOMIC" };
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(names[i]);
            }
        }
        return sb.toString();
    }
}
