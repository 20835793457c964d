// The scaled topology's tests share one native stack of that topology (docs/scaling.md).
import { stackSetup } from '../e2e/global-setup';

export default stackSetup('scaled', 'scaled');
