/**
 * The Kafka edge (issue 18, being built): change topics that join the capture role ({@code capture --to kafka}) and the
 * apply role ({@code apply --from kafka}), and Debezium's PostgreSQL change events read as row changes. Nothing here is
 * wired into the service yet.
 */
package io.nexussync.kafka;
