// The services the console offers to pick, from the service registry: the entry points first
// (the services a person calls), then the others in registry order.
import { entryPointsFirst, SERVICE_REGISTRY, type ServiceRegistry } from '../../../../services/registry';

export const signalServices = (registry: ServiceRegistry = SERVICE_REGISTRY): string[] => entryPointsFirst(registry);
