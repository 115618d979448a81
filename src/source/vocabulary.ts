/**
 * Word lists for the synthetic data set. Invented, but shaped like the real data: US metro
 * areas as the logs write them, artist locations as free text, browser user agents of 2018,
 * titles with apostrophes, a slash and a few accented letters (so both JSON styles are exercised).
 */

export const FIRST_NAMES_FEMALE = [
  'Kaylee', 'Lily', 'Jacqueline', 'Tegan', 'Chloe', 'Aleena', 'Jayden', 'Kate', 'Ava', 'Layla',
  'Sara', 'Rylan', 'Stefany', 'Anabelle', 'Lindsay', 'Katherine', 'Madison', 'Emily', 'Harper', 'Zoë',
  'Mia', 'Brooklyn', 'Sophie', 'Isabella', 'Renée', 'Olivia', 'Amelia', 'Evelyn', 'Aubrey', 'Hannah',
] as const;

export const FIRST_NAMES_MALE = [
  'Ryan', 'Jacob', 'Noah', 'Mohammad', 'Wyatt', 'Liam', 'Tucker', 'Kevin', 'Matthew', 'Austin',
  'Jordan', 'Aiden', 'Ethan', 'Logan', 'Connar', 'Elijah', 'José', 'Theodore', 'Samuel', 'Carter',
  'Owen', 'Dylan', 'Isaac', 'Gavin', 'Sebastian', 'Colm', 'Anthony', 'Lucas', 'Henry', 'Brayden',
] as const;

export const LAST_NAMES = [
  'Summers', 'Koch', 'Lynch', 'Levine', 'Cuevas', 'Solomon', 'Graham', 'Harrell', 'Rodriguez', 'Cruz',
  'Johnson', 'Fox', 'Moreno', 'Mendoza', 'Barrett', 'Jones', 'Hogan', 'Hartman', 'Santana', 'Kelley',
  'Pope', 'Nguyen', 'Dixon', 'Gomez', 'Schwartz', 'Robinson', "O'Brien", 'Riley', 'Bowen', 'Núñez',
  'Carpenter', 'Miller', 'Wright', 'Garcia', 'Peters', 'Watts', 'Clark', 'Freeman', 'Porter', 'Stone',
] as const;

/** As the logs write a user's location: "Metro-Area, ST". */
export const USER_LOCATIONS = [
  'Phoenix-Mesa-Scottsdale, AZ', 'San Francisco-Oakland-Hayward, CA', 'Lansing-East Lansing, MI',
  'Chicago-Naperville-Elgin, IL-IN-WI', 'Atlanta-Sandy Springs-Roswell, GA', 'Waterloo-Cedar Falls, IA',
  'Portland-South Portland, ME', 'Tampa-St. Petersburg-Clearwater, FL', 'New York-Newark-Jersey City, NY-NJ-PA',
  'Los Angeles-Long Beach-Anaheim, CA', 'Houston-The Woodlands-Sugar Land, TX', 'Seattle-Tacoma-Bellevue, WA',
  'Janesville-Beloit, WI', 'Birmingham-Hoover, AL', 'Detroit-Warren-Dearborn, MI', 'Red Bluff, CA',
  'Augusta-Richmond County, GA-SC', 'Marinette, WI-MI', 'Winston-Salem, NC', 'Dallas-Fort Worth-Arlington, TX',
  'Minneapolis-St. Paul-Bloomington, MN-WI', 'Salinas, CA', 'Tucson, AZ', 'Denver-Aurora-Lakewood, CO',
  'Boston-Cambridge-Newton, MA-NH', 'Miami-Fort Lauderdale-West Palm Beach, FL', 'Nashville-Davidson--Murfreesboro--Franklin, TN',
] as const;

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36',
  '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36"',
  '"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36"',
  'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:31.0) Gecko/20100101 Firefox/31.0',
  '"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53"',
  '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.77.4 (KHTML, like Gecko) Version/7.0.5 Safari/537.77.4"',
  'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)',
  '"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36"',
  'Mozilla/5.0 (Windows NT 6.3; WOW64; Trident/7.0; rv:11.0) like Gecko',
] as const;

/** Artist locations as the catalog writes them, with coordinates near the place. */
export const ARTIST_PLACES: ReadonlyArray<{ name: string; latitude: number; longitude: number }> = [
  { name: 'California - LA', latitude: 34.05349, longitude: -118.24532 },
  { name: 'Memphis, TN', latitude: 35.14968, longitude: -90.04892 },
  { name: 'Detroit, MI', latitude: 42.33168, longitude: -83.04792 },
  { name: 'London, England', latitude: 51.50632, longitude: -0.12714 },
  { name: 'New York, NY', latitude: 40.71455, longitude: -74.00712 },
  { name: 'Chicago, IL', latitude: 41.88415, longitude: -87.63241 },
  { name: 'Kingston, Jamaica', latitude: 17.99702, longitude: -76.79358 },
  { name: 'Paris, France', latitude: 48.85693, longitude: 2.3412 },
  { name: 'Stockholm, Sweden', latitude: 59.33217, longitude: 18.06243 },
  { name: 'São Paulo, Brazil', latitude: -23.56287, longitude: -46.65468 },
  { name: 'Reykjavík, Iceland', latitude: 64.13548, longitude: -21.89541 },
  { name: 'Nashville, TN', latitude: 36.16778, longitude: -86.77847 },
  { name: 'Seattle, WA', latitude: 47.60356, longitude: -122.32944 },
  { name: 'Austin, TX', latitude: 30.26759, longitude: -97.74299 },
  { name: 'Hamburg, Germany', latitude: 53.55334, longitude: 9.99245 },
  { name: 'Montréal, Québec, Canada', latitude: 45.51228, longitude: -73.55439 },
  { name: 'Dubai UAE', latitude: 25.27069, longitude: 55.30747 },
  { name: 'Hollywood', latitude: 34.09826, longitude: -118.32907 },
  { name: 'Fort Worth, TX', latitude: 32.74863, longitude: -97.32925 },
  { name: 'Brooklyn, NY', latitude: 40.65507, longitude: -73.94888 },
];

export const ADJECTIVES = [
  'Blue', 'Electric', 'Broken', 'Golden', 'Silent', 'Wild', 'Lonely', 'Midnight', 'Crimson', 'Velvet',
  'Hollow', 'Burning', 'Frozen', 'Sweet', 'Dirty', 'Lucky', 'Neon', 'Paper', 'Secret', 'Restless',
  'Little', 'Summer', 'Distant', 'Wooden', 'Crystal', 'Señor', 'Black', 'Easy', 'Strange', 'Radio',
] as const;

export const NOUNS = [
  'Heart', 'River', 'Highway', 'Dream', 'Fire', 'Rain', 'Moon', 'Train', 'Ghost', 'Garden',
  'Mirror', 'City', 'Ocean', 'Shadow', 'Wolf', 'Engine', 'Letter', 'Window', 'Thunder', 'Angel',
  'Machine', 'Island', 'Road', 'Echo', 'Kingdom', 'Café', 'Sparrow', 'Diamond', 'Storm', 'Night/Day',
] as const;

/** Openings that make titles read like song titles. */
export const TITLE_STARTS = [
  "I Didn't Mean To", "Don't Stop the", 'Take Me to the', 'Love Song for the', 'Dancing in the', "Can't Fight the",
  'Goodbye', 'Return of the', 'Under the', 'Tonight in the', 'Ballad of the', 'Waiting for the', "We're the",
  'Back to the', 'Running from the', 'Song of the', 'Nothing but the', 'All Along the', "You're My",
] as const;

export const ARTIST_FIRST_NAMES = [
  'Casual', 'Line', 'Sonora', 'Elena', 'Big', 'Lil', 'Mike', 'Gloria', 'Björn', 'Tweeterfriendly',
  'Adam', 'Bob', 'Shakira', 'Dwight', 'Jimmy', 'Nina', 'Tom', 'Dolly', 'Andrés', 'Marvin',
] as const;

export const ARTIST_LAST_NAMES = [
  'Renaud', 'Santanera', 'Jones', 'Parton', 'Gaye', 'Cliff', 'Simone', 'Waits', 'Yoakam', 'Ant',
  'Marley', 'Estefan', 'Calamaro', 'Dylan', 'Wonder', 'Smith', 'Music', 'Hendrix', 'Ulvaeus', 'Ross',
] as const;

/** Pages a logged-in user visits besides NextSong, with relative weights (SPEC §5). */
export const OTHER_PAGES = [
  { page: 'Home', weight: 40 },
  { page: 'Settings', weight: 7 },
  { page: 'Save Settings', weight: 2 },
  { page: 'Help', weight: 7 },
  { page: 'About', weight: 4 },
  { page: 'Upgrade', weight: 12 }, // free users; paid users see Downgrade instead
  { page: 'Error', weight: 2 },
] as const;

/** Pages a logged-out visitor can see. */
export const GUEST_PAGES = ['Home', 'Home', 'About', 'Help', 'Error'] as const;

/** HTTP method and status the real logs record for each page. */
export const PAGE_REQUESTS: Readonly<Record<string, { method: 'GET' | 'PUT'; status: number }>> = {
  NextSong: { method: 'PUT', status: 200 },
  Home: { method: 'GET', status: 200 },
  Login: { method: 'PUT', status: 307 },
  Logout: { method: 'PUT', status: 307 },
  Upgrade: { method: 'GET', status: 200 },
  Downgrade: { method: 'GET', status: 200 },
  'Submit Upgrade': { method: 'PUT', status: 307 },
  'Submit Downgrade': { method: 'PUT', status: 307 },
  Settings: { method: 'GET', status: 200 },
  'Save Settings': { method: 'PUT', status: 307 },
  Help: { method: 'GET', status: 200 },
  About: { method: 'GET', status: 200 },
  Error: { method: 'GET', status: 404 },
};
