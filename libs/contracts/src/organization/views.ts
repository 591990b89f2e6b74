/** WIRE: an organization as Infisical's API shows one. */
export interface OrganizationView {
  id: string;
  name: string;
  slug: string;
}
