// Topology and storage state at once: etcd members find each other by their stable DNS
// names and rejoin from their claims under the same member IDs.
import { statefulSetSuite } from './support.ts';

statefulSetSuite('etcd');
