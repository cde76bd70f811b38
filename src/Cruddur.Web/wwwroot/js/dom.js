// The page's elements by id: the one DOM helper every module shares.
export const $ = (id) => document.getElementById(id);
