package io.softverbs;

/** Queue pair transport type; maps to {@code enum ibv_qp_type}. */
public enum QpType
{
    /** {@code IBV_QPT_RC}: reliable connected. */
    RC
}
