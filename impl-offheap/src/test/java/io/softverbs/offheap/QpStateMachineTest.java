package io.softverbs.offheap;

import java.util.function.BiFunction;
import java.util.stream.Stream;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpAttributes;
import io.softverbs.QpEndpoint;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertVerbsError;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The RC QP state machine driven through modify(): valid transitions, invalid ones, missing or bad attributes. */
@Timeout(30)
class QpStateMachineTest
{
    private Pair pair;
    private QueuePair qp;
    private QpEndpoint remote;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open(ProgressMode.DEDICATED, o -> o, false);
        qp = pair.qpA;
        remote = pair.qpB.localEndpoint();
        assertEquals(QpState.RESET, qp.state());
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** Full, valid attributes for moving from {@code from} to {@code to} (what each transition requires). */
    private QpAttributes attributesFor(final QpState from, final QpState to)
    {
        switch (to)
        {
            case INIT:
                return TestSupport.toInit(Access.ALL_REMOTE);
            case RTR:
                return TestSupport.toRtr(remote, 1);
            case RTS:
                return from == QpState.RTR ? TestSupport.toRts(qp.localEndpoint().psn(), 7) :
                    QpAttributes.builder().state(QpState.RTS).build();
            default:
                return QpAttributes.builder().state(to).build();
        }
    }

    /** Drives the QP from RESET to {@code state} along valid transitions. */
    private void driveTo(final QpState state)
    {
        if (state == QpState.ERR)
        {
            qp.modify(QpAttributes.builder().state(QpState.ERR).build());
        }
        else
        {
            final QpState[] path = {QpState.INIT, QpState.RTR, QpState.RTS, QpState.SQD};
            QpState at = QpState.RESET;
            for (final QpState next : path)
            {
                if (at == state)
                {
                    break;
                }
                qp.modify(attributesFor(at, next));
                at = next;
            }
        }
        assertEquals(state, qp.state(), "setup: drive to " + state);
    }

    static Stream<Arguments> validTransitions()
    {
        final Stream<Arguments> forward = Stream.of(
            Arguments.of(QpState.RESET, QpState.INIT),
            Arguments.of(QpState.INIT, QpState.INIT),
            Arguments.of(QpState.INIT, QpState.RTR),
            Arguments.of(QpState.RTR, QpState.RTS),
            Arguments.of(QpState.RTS, QpState.RTS),
            Arguments.of(QpState.RTS, QpState.SQD),
            Arguments.of(QpState.SQD, QpState.SQD),
            Arguments.of(QpState.SQD, QpState.RTS));
        // Any state may go to RESET or ERR. (SQE is only entered by the engine, so SQE->RTS is not reachable here.)
        final QpState[] reachable = {QpState.RESET, QpState.INIT, QpState.RTR, QpState.RTS, QpState.SQD, QpState.ERR};
        final Stream<Arguments> toResetOrErr = Stream.of(reachable)
            .flatMap(s -> Stream.of(Arguments.of(s, QpState.RESET), Arguments.of(s, QpState.ERR)));
        return Stream.concat(forward, toResetOrErr);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("validTransitions")
    void validTransitionIsApplied(final QpState from, final QpState to)
    {
        driveTo(from);
        qp.modify(attributesFor(from, to));
        assertEquals(to, qp.state());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "RESET, RTR", "RESET, RTS", "RESET, SQD",
        "INIT, RTS", "INIT, SQD",
        "RTR, INIT", "RTR, RTR", "RTR, SQD",
        "RTS, INIT", "RTS, RTR",
        "SQD, INIT", "SQD, RTR",
        "ERR, INIT", "ERR, RTR", "ERR, RTS"})
    void invalidTransitionIsEinvalAndLeavesTheStateAlone(final QpState from, final QpState to)
    {
        driveTo(from);
        // Even with every attribute the target state could need, the transition itself is illegal.
        final QpAttributes attrs = QpAttributes.builder().state(to).accessFlags(Access.ALL_REMOTE).remote(remote)
            .pathMtu(4096).minRnrTimer(1).maxDestRdAtomic(16).timeout(14).retryCount(7).rnrRetry(7).maxRdAtomic(16)
            .build();
        assertVerbsError(Errors.EINVAL, () -> qp.modify(attrs));
        assertEquals(from, qp.state());
    }

    /** Transitions with one required attribute left out (or a value out of range), named by what is wrong. */
    enum BadAttributes
    {
        INIT_WITHOUT_ACCESS_FLAGS(QpState.RESET, (b, r) -> b.state(QpState.INIT)),
        INIT_WITHOUT_STATE(QpState.RESET, (b, r) -> b.accessFlags(Access.ALL_REMOTE)),
        RTR_WITHOUT_AV(QpState.INIT, (b, r) -> b.state(QpState.RTR).destQpNum(r.qpNum()).rqPsn(r.psn())
            .pathMtu(4096).minRnrTimer(1).maxDestRdAtomic(16)),
        RTR_WITHOUT_PATH_MTU(QpState.INIT, (b, r) -> b.state(QpState.RTR).remote(r).minRnrTimer(1)
            .maxDestRdAtomic(16)),
        RTR_WITHOUT_MIN_RNR_TIMER(QpState.INIT, (b, r) -> b.state(QpState.RTR).remote(r).pathMtu(4096)
            .maxDestRdAtomic(16)),
        RTR_WITHOUT_MAX_DEST_RD_ATOMIC(QpState.INIT, (b, r) -> b.state(QpState.RTR).remote(r).pathMtu(4096)
            .minRnrTimer(1)),
        RTR_WITH_PATH_MTU_1000(QpState.INIT, (b, r) -> b.state(QpState.RTR).remote(r).pathMtu(1000).minRnrTimer(1)
            .maxDestRdAtomic(16)),
        RTR_WITH_MIN_RNR_TIMER_32(QpState.INIT, (b, r) -> b.state(QpState.RTR).remote(r).pathMtu(4096)
            .minRnrTimer(32).maxDestRdAtomic(16)),
        RTS_WITHOUT_TIMEOUT(QpState.RTR, (b, r) -> b.state(QpState.RTS).retryCount(7).rnrRetry(7).maxRdAtomic(16)),
        RTS_WITHOUT_RETRY_CNT(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(14).rnrRetry(7).maxRdAtomic(16)),
        RTS_WITHOUT_RNR_RETRY(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(14).retryCount(7).maxRdAtomic(16)),
        RTS_WITHOUT_MAX_QP_RD_ATOMIC(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(14).retryCount(7)
            .rnrRetry(7)),
        RTS_WITH_TIMEOUT_32(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(32).retryCount(7).rnrRetry(7)
            .maxRdAtomic(16)),
        RTS_WITH_RETRY_CNT_8(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(14).retryCount(8).rnrRetry(7)
            .maxRdAtomic(16)),
        RTS_WITH_RNR_RETRY_8(QpState.RTR, (b, r) -> b.state(QpState.RTS).timeout(14).retryCount(7).rnrRetry(8)
            .maxRdAtomic(16));

        final QpState from;
        private final BiFunction<QpAttributes.Builder, QpEndpoint, QpAttributes.Builder> fill;

        BadAttributes(final QpState from, final BiFunction<QpAttributes.Builder, QpEndpoint, QpAttributes.Builder> fill)
        {
            this.from = from;
            this.fill = fill;
        }

        /** @param remote the peer's endpoint, known only at run time. */
        QpAttributes build(final QpEndpoint remote)
        {
            return fill.apply(QpAttributes.builder(), remote).build();
        }
    }

    @ParameterizedTest
    @EnumSource(BadAttributes.class)
    void missingOrBadAttributeIsEinval(final BadAttributes bad)
    {
        driveTo(bad.from);
        final QpAttributes attrs = bad.build(remote);
        assertVerbsError(Errors.EINVAL, () -> qp.modify(attrs));
        assertEquals(bad.from, qp.state());
    }

    @Test
    void manualThreeStepPathWithExplicitAttributesCarriesTraffic()
    {
        final QueuePair qpB = pair.qpB;
        qp.modify(TestSupport.toInit(Access.ALL_REMOTE));
        assertEquals(QpState.INIT, qp.state());
        qp.modify(TestSupport.toRtr(remote, 12));
        assertEquals(QpState.RTR, qp.state());
        qp.modify(TestSupport.toRts(qp.localEndpoint().psn(), 7));
        assertEquals(QpState.RTS, qp.state());
        TestSupport.connectManually(qpB, qp.localEndpoint(), Access.ALL_REMOTE, 12, 7);
        assertEquals(QpState.RTS, qpB.state());

        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 100, 8);
        assertEquals(0, qpB.postRecv(recv(1, dst, 0, 4096)));
        assertEquals(0, qp.postSend(new SendWorkRequest().wrId(2).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(src, 0, 100)));
        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(WcOpcode.RECV, rc.opcode());
        assertEquals(100, rc.byteLen());
        assertPattern(dst.buffer(), 0, 100, 8, 0);
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
    }

    @ParameterizedTest
    @EnumSource(value = QpState.class, names = {"RESET", "INIT", "RTR"})
    void postSendBeforeRtsIsEperm(final QpState state)
    {
        driveTo(state);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(Errors.EPERM, qp.postSend(new SendWorkRequest().wrId(1).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8)));
        pair.assertEmpty(pair.a.sendCq); // rejected requests leave no trace
    }

    @Test
    void postRecvIsEpermInResetAndAllowedInInit()
    {
        final MemoryRegion dst = pair.a.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(Errors.EPERM, qp.postRecv(recv(1, dst, 0, 64)));
        driveTo(QpState.INIT);
        assertEquals(0, qp.postRecv(recv(2, dst, 0, 64)));
    }
}
