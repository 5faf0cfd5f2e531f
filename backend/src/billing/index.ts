export type { CheckoutSessionRequest, PaymentGateway } from './payment-gateway.ts';
export { VerifiedEvent } from './payment-gateway.ts';
export { createStripeGateway } from './stripe-gateway.ts';
