package io.nexussync.postgres.pgoutput;

/** 'Y': names a non-built-in type that a following Relation uses. */
final class TypeMessage {

    private TypeMessage() {}

    static TypeDescriptor decode(PgOutputReader reader) {
        int oid = reader.int32("type OID");
        String namespace = Namespaces.of(reader.string("namespace"));
        String name = reader.string("type name");
        return new TypeDescriptor(oid, namespace, name);
    }
}
