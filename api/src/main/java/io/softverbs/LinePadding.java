package io.softverbs;

/**
 * Base of every object whose fields a thread writes on the data path: in the provider (QP and CQ state, rings'
 * indices, engine stages, transport links) and in the application (work requests, posted and polled once per
 * operation). 128 bytes of padding ahead of the subclass's fields, which the JVM lays out after the
 * superclass's. Whatever object the allocator or a collector puts in front, its fields then never share a cache
 * line (or the adjacent-line prefetch pair) with these. Without it the two sides of an in-process connection,
 * allocated together, false-share: measured, a mem ping-pong's round trip varied between runs from 1.6 to 2.1 us
 * with the collector's choice of layout. Byte fields, so the JVM cannot fill gaps in the padding with the
 * subclass's fields. Public so that an application can lay out its own per-thread objects the same way.
 */
public abstract class LinePadding
{
    /**
     * The padding's size in bytes: two cache lines (one adjacent-line prefetch pair). An array a thread writes per
     * operation keeps as many bytes unused at each end, for the same reason.
     */
    public static final int BYTES = 128;

    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
