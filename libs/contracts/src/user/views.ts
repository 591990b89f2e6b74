/** WIRE: a user as Infisical's API shows one. */
export interface UserView {
  id: string;
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  superAdmin: boolean;
}
