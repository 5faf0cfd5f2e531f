/** "1 credit", "3 credits": the count with its noun in the right number. */
export const creditsLabel = (credits: number): string => `${credits} ${credits === 1 ? 'credit' : 'credits'}`;
