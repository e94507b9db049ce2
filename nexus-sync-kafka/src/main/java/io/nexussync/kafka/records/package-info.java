/**
 * The records on the change topic between the capture role and the apply role: {@link
 * io.nexussync.kafka.records.ChangeRecordCodec} turns a streamed change into a key and a value and the value back. Pure
 * bytes: the roles own the producer and the consumer.
 */
package io.nexussync.kafka.records;
