// The seed's own example of both kinds of state: PostgreSQL replicas bootstrap from and
// stream from the primary by its stable DNS name, and come back on their own volumes.
// Its image (docker.io/library/postgres:15-ordinal) is built locally from Debian's
// packages: the local cluster imports it; elsewhere preload it (docs/postgres-sample.md).
import { statefulSetSuite } from './support.ts';

statefulSetSuite('postgres');
