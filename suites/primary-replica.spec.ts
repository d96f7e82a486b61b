// Topology state: replicas find the primary by its stable DNS name, before and after chaos.
import { statefulSetSuite } from './support.ts';

statefulSetSuite('primary-replica');
