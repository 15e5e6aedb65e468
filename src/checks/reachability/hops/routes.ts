import { contains, prefixLength } from '../cidr.ts';
import type { NetworkModel, Route } from '../model.ts';

/**
 * The route a subnet's table picks for a destination outside the VPC: the longest matching prefix.
 * Gateway endpoints are not routes in the template (they attach to tables through RouteTableIds),
 * so callers check them first.
 */
export function routeFor(model: NetworkModel, subnet: string, destination: string): Route | undefined {
  const table = model.subnets.get(subnet)?.routeTable;
  const routes = table ? (model.routeTables.get(table) ?? []) : [];
  return routes
    .filter((r) => contains(r.destination, destination))
    .sort((a, b) => prefixLength(b.destination) - prefixLength(a.destination))[0];
}
