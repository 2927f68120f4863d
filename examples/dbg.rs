fn main() {
    let c = liverline::content::embedded().unwrap();
    let e = liverline::Engine::new(c);
    for a in std::env::args().skip(1) {
        println!("{a}: {:?}", e.explain(&a));
    }
}
