package io.nexussync.postgres.pgoutput;

/**
 * One published column of a relation, as the Relation message describes it.
 *
 * @param typeOid the column's type; decides how its text is converted
 * @param typmod  the type modifier ({@code -1} when none), e.g. varchar length
 * @param key     whether the column is part of the replica identity (every column under REPLICA IDENTITY FULL)
 */
public record ColumnDescriptor(String name, int typeOid, int typmod, boolean key) {}
