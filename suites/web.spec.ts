// The classic example: nginx headless Service, StatefulSet web, claims www-web-N.
import { statefulSetSuite } from './support.ts';

statefulSetSuite('web');
